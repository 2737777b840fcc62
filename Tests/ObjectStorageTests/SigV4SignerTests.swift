import Foundation
import ObjectStorage
import Testing

/// The signature calculations AWS publishes for S3 (header-based authentication, "GET Object"
/// and "GET Bucket (List Objects)" examples), with their documented results.
@Suite("SigV4 signer")
struct SigV4SignerTests {
    let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    /// 2013-05-24T00:00:00Z.
    let date = Date(timeIntervalSince1970: 1_369_353_600)

    @Test("GET Object: canonical request, string to sign and signature as documented")
    func getObject() {
        let headers = [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")]
        let canonical = signer.canonicalRequest(
            method: "GET", path: "/test.txt", query: [],
            headers: headers + [("x-amz-content-sha256", SigV4Signer.emptyPayloadHash), ("x-amz-date", "20130524T000000Z")],
            payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(
            canonical.request == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        let toSign = signer.stringToSign(canonicalRequest: canonical.request, timestamp: "20130524T000000Z")
        #expect(
            toSign == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
        let added = signer.sign(
            method: "GET", path: "/test.txt", query: [], headers: headers, payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(
            added.first { $0.0 == "Authorization" }?.1
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("GET Bucket (List Objects): query parameters sorted and encoded, signature as documented")
    func listObjects() {
        let added = signer.sign(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [("Host", "examplebucket.s3.amazonaws.com")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(
            added.first { $0.0 == "Authorization" }?.1
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test("a session token is sent and signed; the credentials never print their secret")
    func sessionToken() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "very-secret", sessionToken: "token-value")
        let added = SigV4Signer(credentials: credentials, region: "eu-west-1").sign(
            method: "GET", path: "/b/k", query: [], headers: [("host", "h")], payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(added.contains { $0.0 == "x-amz-security-token" && $0.1 == "token-value" })
        #expect(added.first { $0.0 == "Authorization" }?.1.contains("x-amz-security-token") == true)
        #expect(!"\(credentials)".contains("very-secret") && !"\(credentials)".contains("token-value"))
    }

    @Test("timestamps and URI encoding")
    func encoding() {
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 1_700_000_000)) == "20231114T221320Z")
        #expect(SigV4Signer.encode("a b/c~d=e") == "a%20b%2Fc~d%3De")
        #expect(SigV4Signer.encode("docker/registry/v2", keepSlash: true) == "docker/registry/v2")
    }
}
