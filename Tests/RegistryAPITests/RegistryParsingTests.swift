import EvictorCore
import Foundation
import Testing
@testable import RegistryAPI

@Suite("Parsing what registries and users hand us")
struct RegistryParsingTests {
    @Test("registry endpoints")
    func endpoints() throws {
        let plain = try RegistryEndpoint(parsing: "registry.example.com")
        #expect(plain.baseURL == "https://registry.example.com")
        #expect(try RegistryEndpoint(parsing: "reg.local:5000").baseURL == "https://reg.local:5000")
        #expect(try RegistryEndpoint(parsing: "http://127.0.0.1:5000/").baseURL == "http://127.0.0.1:5000")
        #expect(try RegistryEndpoint(parsing: "http://127.0.0.1:5000/v2/").hostPort == "127.0.0.1:5000")
        #expect(try RegistryEndpoint(parsing: "127.0.0.1:5000", plainHTTP: true).baseURL == "http://127.0.0.1:5000")
        #expect(try RegistryEndpoint(parsing: "[::1]:5000").hostPort == "[::1]:5000")
        for bad in ["", "ftp://x", "host:0", "host:99999", "host:abc", "user@host", "host/path", "http://", "a b"] {
            #expect(throws: RegistryAPIError.self, "\(bad)") { try RegistryEndpoint(parsing: bad) }
        }
    }

    @Test("repository names and tags follow the distribution grammar")
    func names() {
        for good in ["a", "library/nginx", "team/web-app", "a.b_c__d---e/f0", String(repeating: "a", count: 255)] {
            #expect(RepositoryName.isValid(good), "\(good)")
        }
        for bad in [
            "", "A", "a/", "/a", "a//b", "a..b", "a___b", "-a", "a-", "a?b", "a#b", "../etc", "a\u{0}b", "a b", String(repeating: "a", count: 256),
        ] {
            #expect(!RepositoryName.isValid(bad), "\(bad)")
        }
        for good in ["latest", "v1.2.3", "_x", "A-b.c", String(repeating: "t", count: 128)] {
            #expect(RepositoryName.isValidTag(good), "\(good)")
        }
        for bad in ["", ".x", "-x", "a/b", "a:b", "a\u{7}", String(repeating: "t", count: 129)] {
            #expect(!RepositoryName.isValidTag(bad), "\(bad)")
        }
    }

    @Test("WWW-Authenticate challenges")
    func challenges() throws {
        let bearer = try #require(
            AuthChallenge(header: #"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/web:pull""#))
        #expect(bearer.scheme == .bearer)
        #expect(bearer.realm == "https://auth.example.com/token")
        #expect(bearer.service == "registry.example.com")
        #expect(bearer.scope == "repository:team/web:pull")
        let basic = try #require(AuthChallenge(header: #"Basic realm="evictor-test""#))
        #expect(basic.scheme == .basic)
        #expect(basic.realm == "evictor-test")
        #expect(AuthChallenge(header: "Negotiate abc") == nil)
        #expect(AuthChallenge(header: "") == nil)
    }

    @Test("Link headers and Retry-After")
    func headers() {
        #expect(LinkHeader.next(#"</v2/_catalog?last=b&n=100>; rel="next""#) == "/v2/_catalog?last=b&n=100")
        #expect(LinkHeader.next(#"<https://x/prev>; rel="prev", <https://x/next>; rel="next""#) == "https://x/next")
        #expect(LinkHeader.next(nil) == nil)
        #expect(LinkHeader.next("garbage") == nil)
        #expect(RetryPolicy.parseRetryAfter("3", now: Date()) == 3)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let later = RetryPolicy.parseRetryAfter("Tue, 14 Nov 2023 22:13:30 GMT", now: now)
        #expect(later.map { abs($0 - 10) < 1 } == true)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
        let policy = RetryPolicy(maxAttempts: 5, initialBackoff: 0.2, maxBackoff: 10)
        for attempt in 1...8 {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
            #expect(delay >= 0 && delay <= 10)
        }
        #expect(policy.delay(afterAttempt: 1, retryAfter: "2") == 2)
    }

    @Test("manifests of every kind parse; garbage is refused with a reason")
    func manifests() throws {
        let digest = Digest.sha256(of: [UInt8]())
        let image =
            #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","#
            + #""config":{"mediaType":"application/vnd.docker.container.image.v1+json","#
            + #""digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":0},"layers":[]}"#
        let parsed = try Manifest.parse(Array(image.utf8), contentType: nil, digest: digest)
        #expect(parsed.kind == .image)
        #expect(parsed.mediaType == ManifestMediaType.dockerManifest)
        let index =
            #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","#
            + #""digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":2,"#
            + #""platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}"#
        let parsedIndex = try Manifest.parse(Array(index.utf8), contentType: "application/vnd.oci.image.index.v1+json; charset=utf-8", digest: digest)
        #expect(parsedIndex.kind == .index)
        #expect(parsedIndex.children.first?.platform?.description == "linux/arm64/v8")
        let schema1 =
            #"{"schemaVersion":1,"name":"a","tag":"b","#
            + #""fsLayers":[{"blobSum":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}"#
        #expect(try Manifest.parse(Array(schema1.utf8), contentType: nil, digest: digest).kind == .schema1)
        let garbage: [(String, String)] = [
            ("{", "not JSON"),
            ("[]", "not JSON"),
            (#"{"schemaVersion":3}"#, "unsupported schemaVersion 3"),
            (#"{"schemaVersion":2}"#, "neither config nor manifests"),
            (#"{"schemaVersion":2,"config":{"digest":"md5:x","size":1},"layers":[]}"#, "invalid digest"),
            (
                #"{"schemaVersion":2,"config":{"digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":-5}}"#,
                "negative size"
            ),
            (#"{"schemaVersion":2,"manifests":"nope"}"#, "wrong type"),
        ]
        for (body, reason) in garbage {
            #expect(
                performing: { try Manifest.parse(Array(body.utf8), contentType: nil, digest: digest) },
                throws: { error in
                    (error as? ManifestParseError)?.reason.contains(reason) == true
                })
        }
    }
}
