import EvictorCore
import EvictorTestSupport
import Foundation
import Testing
@testable import RegistryAPI

/// A client for a test registry.
func makeClient(_ registry: RegistryServer, credentials: RegistryCredentials? = nil, maxAttempts: Int = 3) throws -> RegistryClient {
    var configuration = RegistryClientConfiguration(endpoint: try RegistryEndpoint(parsing: registry.url), credentials: credentials)
    configuration.maxAttempts = maxAttempts
    configuration.initialBackoff = 0.05
    return try RegistryClient(configuration)
}

@Suite("RegistryClient against the real registry")
struct RegistryClientTests {
    @Test("a catalog of 250 repositories and a repository of 250 tags are listed completely")
    func pagination() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-seed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let seeder = StorageSeeder(root: work)
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        var expectedRepositories: [String] = []
        for index in 0..<250 {
            let name = String(format: "team%02d/app-%03d", index % 7, index)
            expectedRepositories.append(name)
            try seeder.image(repository: name, tags: ["v1"], spec: TestImageSpec(created: created, layerSeed: "repo-\(index)"))
        }
        let manyTags = (0..<250).map { "build-\($0)" }
        try seeder.image(repository: "big/tags", tags: manyTags, spec: TestImageSpec(created: created, layerSeed: "big"))
        expectedRepositories.append("big/tags")

        var options = RegistryOptions()
        options.storageRoot = work
        try await RegistryServer.with(options) { registry in
            let client = try makeClient(registry)
            defer { Task { await client.shutdown() } }
            for pageSize in [100, 7] {
                let repositories = try await client.repositories(pageSize: pageSize)
                #expect(repositories.count == 251)
                #expect(repositories.sorted() == expectedRepositories.sorted())
            }
            let tags = try await client.tags(of: "big/tags", pageSize: 100)
            #expect(tags.sorted() == manyTags.sorted())
            #expect(try await client.tags(of: "team00/app-000") == ["v1"])
        }
    }

    @Test("all four manifest kinds pushed by skopeo are fetched, classified and verified")
    func manifestKinds() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let created = Date(timeIntervalSince1970: 1_700_000_000)
            try layout.addImage(tag: "single", TestImageSpec(created: created, layerSeed: "kinds-single"))
            try layout.addIndex(
                tag: "multi",
                [
                    TestImageSpec(created: created, layerSeed: "kinds-amd64", platform: .linuxAmd64),
                    TestImageSpec(created: created, layerSeed: "kinds-arm64", platform: .linuxArm64),
                ])
            try await Skopeo.push(layout: layout, tag: "single", to: registry, repository: "kinds", destinationTag: "oci-image")
            try await Skopeo.push(layout: layout, tag: "multi", to: registry, repository: "kinds", destinationTag: "oci-index")
            try await Skopeo.push(
                layout: layout, tag: "single", to: registry, repository: "kinds", destinationTag: "docker-image", format: .dockerV2, all: false)
            try await Skopeo.push(layout: layout, tag: "multi", to: registry, repository: "kinds", destinationTag: "docker-list", format: .dockerV2)

            let client = try makeClient(registry)
            defer { Task { await client.shutdown() } }
            let expected: [(String, String, Manifest.Kind)] = [
                ("oci-image", ManifestMediaType.ociManifest, .image),
                ("oci-index", ManifestMediaType.ociIndex, .index),
                ("docker-image", ManifestMediaType.dockerManifest, .image),
                ("docker-list", ManifestMediaType.dockerManifestList, .index),
            ]
            for (tag, mediaType, kind) in expected {
                let raw = try await Skopeo.inspectRaw(registry, "kinds:\(tag)")
                let manifest = try await client.manifest("kinds", reference: tag)
                #expect(manifest.mediaType == mediaType, "\(tag)")
                #expect(manifest.kind == kind, "\(tag)")
                #expect(manifest.digest.description == Sha256.digest(raw), "\(tag)")
                let head = try await client.manifestHead("kinds", reference: tag)
                #expect(head?.digest == manifest.digest)
                #expect(head?.mediaType == mediaType)
                let byDigest = try await client.manifest("kinds", reference: manifest.digest.description)
                #expect(byDigest.digest == manifest.digest)
                if kind == .index {
                    #expect(manifest.children.count == 2)
                    for child in manifest.children {
                        let fetched = try await client.manifest("kinds", reference: child.digest.description)
                        #expect(fetched.kind == .image)
                        for blob in fetched.blobs {
                            #expect(try await client.blobSize("kinds", digest: blob.digest) == blob.size)
                        }
                    }
                } else {
                    for blob in manifest.blobs {
                        #expect(try await client.blobSize("kinds", digest: blob.digest) == blob.size)
                    }
                    let config = try await client.blob("kinds", digest: try #require(manifest.config).digest, limit: 1 << 20)
                    #expect(String(decoding: config, as: UTF8.self).contains("2023-11-14T22:13:20Z"))
                }
            }
            #expect(try await client.manifestHead("kinds", reference: "nope") == nil)
            await #expect(throws: RegistryAPIError.notFound(registry: registry.hostPort, what: "manifest kinds:nope")) {
                try await client.manifest("kinds", reference: "nope")
            }
        }
    }

    @Test("a manifest body that does not match its digest is reported, not trusted")
    func digestMismatch() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let built = try layout.addImage(tag: "v1", TestImageSpec(created: Date(), layerSeed: "mismatch"))
            try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "broken")
            // Corrupt the stored manifest blob on disk: still valid JSON, different bytes.
            let seeder = StorageSeeder(root: registry.storageRoot)
            let path = seeder.blobPath(built.digest)
            var bytes = try Data(contentsOf: path)
            bytes.append(contentsOf: Array(" \n".utf8))
            try bytes.write(to: path)
            try await registry.restart()

            let client = try makeClient(registry)
            defer { Task { await client.shutdown() } }
            for reference in ["v1", built.digest] {
                await #expect(
                    performing: { try await client.manifest("broken", reference: reference) },
                    throws: { error in
                        guard case .digestMismatch(_, _, let expected, let actual)? = error as? RegistryAPIError else { return false }
                        return expected == built.digest && actual == Sha256.digest(bytes)
                    })
            }
        }
    }

    @Test("upload blobs and a manifest, read back with skopeo, delete by digest")
    func pushAndDelete() async throws {
        try await RegistryServer.with { registry in
            let client = try makeClient(registry)
            defer { Task { await client.shutdown() } }
            let layer = Array(TarArchive.make(files: [(name: "x.txt", contents: Data("pushed by evictor".utf8))]))
            let config = Array(
                #"{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
            let layerDigest = try await client.uploadBlob("pushed/app", bytes: layer)
            let configDigest = try await client.uploadBlob("pushed/app", bytes: config)
            #expect(try await client.uploadBlob("pushed/app", bytes: layer) == layerDigest)
            let manifest = Array(
                (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","#
                    + #""config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(configDigest)","size":\#(config.count)},"#
                    + #""layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(layerDigest)","size":\#(layer.count)}]}"#)
                    .utf8)
            let digest = try await client.putManifest("pushed/app", reference: "v1", bytes: manifest, mediaType: ManifestMediaType.ociManifest)
            #expect(try await Skopeo.inspectRaw(registry, "pushed/app:v1") == Data(manifest))

            // Referrers: 2.8 has no API, so the sha256-<hex> tag fallback is used.
            #expect(try await client.referrers("pushed/app", subject: digest).isEmpty)
            let referrerIndex = Array(
                (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","#
                    + #""manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(digest)","size":\#(manifest.count),"#
                    + #""artifactType":"application/vnd.example.sig"}]}"#)
                    .utf8)
            try await client.putManifest("pushed/app", reference: "sha256-\(digest.hex)", bytes: referrerIndex, mediaType: ManifestMediaType.ociIndex)
            let referrers = try await client.referrers("pushed/app", subject: digest)
            #expect(referrers.map(\.artifactType) == ["application/vnd.example.sig"])

            #expect(try await client.deleteManifest("pushed/app", digest: digest))
            #expect(try await client.manifestHead("pushed/app", reference: digest.description) == nil)
            #expect(await !Skopeo.canInspect(registry, "pushed/app:v1"))
            #expect(try await client.deleteManifest("pushed/app", digest: digest) == false)
        }
    }

    @Test("deleting on a registry with deletes disabled is one clear error")
    func deletesDisabled() async throws {
        var options = RegistryOptions()
        options.deleteEnabled = false
        try await RegistryServer.with(options) { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let built = try layout.addImage(tag: "v1", TestImageSpec(created: Date(), layerSeed: "no-delete"))
            try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "keep")
            let client = try makeClient(registry)
            defer { Task { await client.shutdown() } }
            let error = await #expect(throws: RegistryAPIError.self) {
                try await client.deleteManifest("keep", digest: try Digest(parsing: built.digest))
            }
            #expect(error == .deletesDisabled(registry: registry.hostPort))
            #expect(await Skopeo.canInspect(registry, "keep:v1"))
        }
    }

    @Test("a registry that is not there is one clear error after bounded retries")
    func unreachable() async throws {
        let closed = try ClosedPort()
        defer { withExtendedLifetime(closed) {} }
        let port = closed.port
        var configuration = RegistryClientConfiguration(endpoint: try RegistryEndpoint(parsing: "http://127.0.0.1:\(port)"))
        configuration.maxAttempts = 2
        configuration.initialBackoff = 0.01
        let client = try RegistryClient(configuration)
        defer { Task { await client.shutdown() } }
        let error = await #expect(throws: RegistryAPIError.self) { try await client.ping() }
        guard case .unreachable(let registry, _)? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(registry == "127.0.0.1:\(port)")
    }
}

@Suite("Size caps")
struct RegistrySizeCapTests {
    @Test("a body over its cap is refused without being held; the registry's own 500 is reported as such")
    func oversizedBodies() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-big-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let seeder = StorageSeeder(root: work)
        let built = try seeder.image(repository: "huge/app", tags: ["v1"], spec: TestImageSpec(created: Date(), layerSeed: "huge"))
        // A 5 MiB manifest document tagged "big" (Distribution 2.8 refuses to serve it: HTTP 500).
        var padded = Data(#"{"schemaVersion":2,"annotations":{"pad":""#.utf8)
        padded.append(Data(repeating: UInt8(ascii: "x"), count: 5 << 20))
        padded.append(Data(#""},"config":{"mediaType":"a","digest":"\#(built.configDigest ?? "")","size":1},"layers":[]}"#.utf8))
        let digest = try seeder.blob(padded)
        for relative in [
            "_layers/sha256/\(digest.dropFirst(7))/link", "_manifests/revisions/sha256/\(digest.dropFirst(7))/link",
            "_manifests/tags/big/current/link", "_manifests/tags/big/index/sha256/\(digest.dropFirst(7))/link",
        ] {
            let url = seeder.repositoryPath("huge/app", relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(digest.utf8).write(to: url)
        }
        var options = RegistryOptions()
        options.storageRoot = work
        try await RegistryServer.with(options) { registry in
            let client = try makeClient(registry)
            defer { Task { await client.shutdown() } }
            let error = await #expect(throws: RegistryAPIError.self) { try await client.manifest("huge/app", reference: "big") }
            // A 500 without a reason that will not change is retried, then reported with the count.
            #expect(
                error
                    == .serverError(
                        registry: registry.hostPort, what: "manifest huge/app:big", status: 500, attempts: client.configuration.maxAttempts))
            // The same document as a blob is served; a cap below its size refuses it.
            let blobError = await #expect(throws: RegistryAPIError.self) {
                try await client.blob("huge/app", digest: try Digest(parsing: digest), limit: 1 << 20)
            }
            #expect(blobError == .bodyTooLarge(registry: registry.hostPort, what: "blob huge/app@\(digest)", limit: 1 << 20))
            #expect(try await client.blob("huge/app", digest: try Digest(parsing: digest), limit: 8 << 20).count == padded.count)
            #expect(try await client.manifest("huge/app", reference: "v1").digest.description == built.digest)
        }
    }
}

@Suite("Connections that cannot work are not retried")
struct PermanentConnectionFailureTests {
    static func client(_ url: String) throws -> RegistryClient {
        var configuration = RegistryClientConfiguration(endpoint: try RegistryEndpoint(parsing: url))
        configuration.initialBackoff = 0.01
        return try RegistryClient(configuration)
    }

    @Test("an unknown host, a closed port and HTTPS to plain HTTP each fail after one attempt of five")
    func oneAttempt() async throws {
        let closedPort = try ClosedPort()
        defer { withExtendedLifetime(closedPort) {} }
        let closed = closedPort.port
        try await RegistryServer.with { registry in
            let cases = [
                (
                    "https://nosuch.invalid:5000",
                    RegistryAPIError.unreachable(registry: "nosuch.invalid:5000", detail: "unknown host nosuch.invalid (DNS lookup failed)")
                ),
                ("http://127.0.0.1:\(closed)", .unreachable(registry: "127.0.0.1:\(closed)", detail: "connection refused")),
                (
                    "https://\(registry.hostPort)",
                    .unreachable(
                        registry: registry.hostPort,
                        detail: "the registry answered plain HTTP, not HTTPS: use http://\(registry.hostPort) (or --plain-http)")
                ),
            ]
            for (url, expected) in cases {
                let client = try Self.client(url)
                #expect(client.configuration.maxAttempts == 5)
                let error = await #expect(throws: RegistryAPIError.self) { try await client.ping() }
                #expect(error == expected)
                #expect(client.requestCount == 1, "\(url): \(client.requestCount) attempts")
                await client.shutdown()
            }
        }
    }

    @Test("plain HTTP to a TLS registry (its 400 answer) names https://")
    func plainHTTPToTLS() async throws {
        try await RegistryServer.withTLS { registry, _ in
            let client = try Self.client("http://\(registry.hostPort)")
            defer { Task { await client.shutdown() } }
            let error = await #expect(throws: RegistryAPIError.self) { try await client.ping() }
            #expect(
                error
                    == .unreachable(
                        registry: registry.hostPort,
                        detail:
                            "the registry speaks HTTPS, not plain HTTP: "
                            + "use https://\(registry.hostPort) or \(registry.hostPort) (without --plain-http)"
                    ))
            #expect(client.requestCount == 1)
        }
    }
}
