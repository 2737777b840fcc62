import EvictorTestSupport
import Foundation
import ObjectStorage
import Testing

/// The client against a real local endpoint (moto).
@Suite("S3 client against moto")
struct S3ClientTests {
    @Test("put, get, head, copy, delete; listings follow continuation tokens page by page")
    func objectsAndPaging() async throws {
        try await MotoServer.with { moto in
            let credentials = AWSCredentials(accessKeyID: MotoServer.accessKey, secretAccessKey: MotoServer.secretKey)
            let client = S3Client(try S3Configuration(endpoint: moto.endpoint, bucket: "paging", region: MotoServer.region, credentials: credentials))
            try client.createBucket()
            for index in 0..<7 { try client.put("dir/sub\(index % 3)/key \(index)+x", Array("value \(index)".utf8)) }
            #expect(try client.get("dir/sub1/key 1+x") == Array("value 1".utf8))
            #expect(try client.head("dir/sub1/key 1+x") == 7)
            #expect(try client.get("dir/none") == nil && client.head("dir/none") == nil)

            let paged = try client.list(prefix: "dir/", maxKeys: 2)
            #expect(paged.objects.count == 7)
            #expect(Set(paged.objects.map(\.key)).count == 7)
            // A single-part object's ETag is the MD5 of its bytes: links need not be read.
            #expect(paged.objects.allSatisfy { $0.etag == ContentETag.of(Array("value \($0.key.split(separator: " ").last?.prefix(1) ?? "")".utf8)) })
            let levels = try client.list(prefix: "dir/", delimiter: "/", maxKeys: 1)
            #expect(levels.commonPrefixes.sorted() == ["dir/sub0/", "dir/sub1/", "dir/sub2/"])

            try client.copy("dir/sub1/key 1+x", to: "moved/key")
            try client.delete("dir/sub1/key 1+x")
            #expect(try client.get("moved/key") == Array("value 1".utf8))
            #expect(try client.get("dir/sub1/key 1+x") == nil)
            try client.delete("dir/never-there")
        }
    }

    @Test("a bucket that does not exist: one line naming the endpoint and the bucket")
    func missingBucket() async throws {
        try await MotoServer.with { moto in
            let credentials = AWSCredentials(accessKeyID: MotoServer.accessKey, secretAccessKey: "a-secret")
            let client = S3Client(try S3Configuration(endpoint: moto.endpoint, bucket: "absent", region: MotoServer.region, credentials: credentials))
            do {
                _ = try client.list(prefix: "")
                Issue.record("listing an absent bucket succeeded")
            } catch {
                #expect("\(error)".contains(moto.endpoint) && "\(error)".contains("absent"), "\(error)")
                #expect(!"\(error)".contains("a-secret"))
            }
        }
    }
}
