import EvictorTestSupport
import Foundation
import ObjectStorage
import Testing

/// Retries on what S3 answers when it is busy (503 SlowDown, 500 InternalError), against a
/// local endpoint that scripts those answers.
@Suite("S3 client retries")
struct S3RetryTests {
    static func client(_ endpoint: ScriptedS3Endpoint, attempts: Int = 5) throws -> S3Client {
        let credentials = AWSCredentials(accessKeyID: "AKIARETRY", secretAccessKey: "retry-secret")
        var configuration = try S3Configuration(endpoint: endpoint.endpoint, bucket: "bucket", region: "us-east-1", credentials: credentials)
        configuration.maxAttempts = attempts
        configuration.initialBackoff = .milliseconds(20)
        configuration.maxBackoff = .milliseconds(100)
        return S3Client(configuration)
    }

    @Test("503 SlowDown, 500 InternalError, 503 and 502 are retried with backoff until the 200")
    func retriesUntilAnswered() async throws {
        let faults = [
            ScriptedS3Endpoint.Fault(503, code: "SlowDown"), .init(500, code: "InternalError"), .init(503), .init(502),
        ]
        let endpoint = try await ScriptedS3Endpoint.start(faults: faults, body: Array("the object".utf8))
        let started = ContinuousClock.now
        let bytes = try Self.client(endpoint).get("dir/key")
        try await endpoint.stop()
        #expect(bytes == Array("the object".utf8))
        #expect(endpoint.requests == Array(repeating: "GET /bucket/dir/key", count: 5))
        // Four waits, each at least half of 20, 40, 80, 100 ms.
        #expect(ContinuousClock.now - started >= .milliseconds(120))
    }

    @Test("still SlowDown after every attempt: one error naming the status, code, key and endpoint, no secret")
    func givesUp() async throws {
        let endpoint = try await ScriptedS3Endpoint.start(faults: Array(repeating: .init(503, code: "SlowDown"), count: 10), body: [])
        do {
            _ = try Self.client(endpoint, attempts: 3).get("dir/key")
            Issue.record("a request that never succeeded returned")
        } catch {
            let text = "\(error)"
            #expect(
                text.contains("503") && text.contains("SlowDown") && text.contains("bucket/dir/key") && text.contains(endpoint.endpoint), "\(text)")
            #expect(!text.contains("retry-secret"))
        }
        try await endpoint.stop()
        #expect(endpoint.requests.count == 3)
    }

    @Test("403 AccessDenied and 400 are not retried; a listing page that fails is retried like any request")
    func notRetried() async throws {
        let denied = try await ScriptedS3Endpoint.start(faults: [.init(403, code: "AccessDenied"), .init(400)], body: [])
        #expect(throws: S3Error.self) { try Self.client(denied).get("key") }
        #expect(throws: S3Error.self) { try Self.client(denied).head("key") }
        try await denied.stop()
        #expect(denied.requests.count == 2)

        let listing = """
            <?xml version="1.0" encoding="UTF-8"?><ListBucketResult><IsTruncated>false</IsTruncated>\
            <Contents><Key>a/b</Key><Size>3</Size><ETag>&quot;900150983cd24fb0d6963f7d28e17f72&quot;</ETag></Contents></ListBucketResult>
            """
        let busy = try await ScriptedS3Endpoint.start(faults: [.init(503, code: "SlowDown")], body: Array(listing.utf8))
        let page = try Self.client(busy).list(prefix: "a/")
        try await busy.stop()
        #expect(page.objects == [S3ListPage.Object(key: "a/b", size: 3, etag: "900150983cd24fb0d6963f7d28e17f72")])
        #expect(busy.requests == ["GET /bucket", "GET /bucket"])
    }
}
