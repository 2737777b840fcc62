import Crypto
import EvictorCore
import EvictorTestSupport
import Foundation
import ObjectStorage
import RegistryStorage
import Testing

/// The S3 driver, except that deleting a file fails: a move into a local quarantine "killed"
/// after its downloads, before its deletes.
struct UndeletableS3Driver: LocalFileTransfer {
    let s3: S3StorageDriver

    var location: String { s3.location }
    var parallelism: Int { s3.parallelism }
    var prefersWalks: Bool { true }

    func list(_ path: String) throws(StorageError) -> [String] { try s3.list(path) }
    func listDirectories(_ path: String) throws(StorageError) -> [String] { try s3.listDirectories(path) }
    func walk(_ path: String) throws(StorageError) -> [StoredFile] { try s3.walk(path) }
    func read(_ path: String, limit: Int) throws(StorageError) -> [UInt8]? { try s3.read(path, limit: limit) }
    func size(_ path: String) throws(StorageError) -> Int64? { try s3.size(path) }
    func exists(_ path: String) throws(StorageError) -> Bool { try s3.exists(path) }
    func isDirectory(_ path: String) throws(StorageError) -> Bool { try s3.isDirectory(path) }
    func write(_ path: String, _ bytes: [UInt8]) throws(StorageError) { try s3.write(path, bytes) }
    func append(_ bytes: [UInt8], to path: String) throws(StorageError) { try s3.append(bytes, to: path) }
    func move(_ source: String, to destination: String) throws(StorageError) { try s3.move(source, to: destination) }
    func delete(_ path: String) throws(StorageError) { throw .cannotWrite(path, reason: "killed") }
    func makeUniqueDirectory(_ base: String) throws(StorageError) -> String { try s3.makeUniqueDirectory(base) }
    func download(_ path: String, to file: String?) throws(StorageError) -> TransferredFile? { try s3.download(path, to: file) }
    func upload(_ file: String, to path: String) throws(StorageError) { try s3.upload(file, to: path) }
    func deleteFile(_ path: String) throws(StorageError) { throw .cannotWrite(path, reason: "killed") }
}

/// A store in a bucket (moto) whose quarantine is a local directory: objects streamed to disk
/// and back, a kill between copy and delete recovered by a rerun and by `revert`.
@Suite("Quarantine in a local directory for a store on S3")
struct QuarantineLocalDirectoryTests {
    static let v2 = "store/docker/registry/v2"

    struct Setup {
        let client: S3Client
        let layout: StorageLayout
        let directory: URL
        let blob: String
        let tag = "repositories/team/app/_manifests/tags/v1"

        /// A bucket holding one blob of `megabytes` MiB and one tag (two link objects).
        init(_ moto: MotoServer, megabytes: Int) throws {
            let credentials = AWSCredentials(accessKeyID: MotoServer.accessKey, secretAccessKey: MotoServer.secretKey)
            client = S3Client(try S3Configuration(endpoint: moto.endpoint, bucket: "local-q", region: MotoServer.region, credentials: credentials))
            try client.createBucket()
            var bytes = [UInt8](repeating: 0, count: megabytes << 20)
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            for index in bytes.indices {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes[index] = UInt8(truncatingIfNeeded: state >> 33)
            }
            let hex = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            blob = "blobs/sha256/\(hex.prefix(2))/\(hex)/data"
            try client.put("\(QuarantineLocalDirectoryTests.v2)/\(blob)", bytes)
            try client.put("\(QuarantineLocalDirectoryTests.v2)/\(tag)/current/link", Array("sha256:\(hex)".utf8))
            try client.put("\(QuarantineLocalDirectoryTests.v2)/\(tag)/index/sha256/\(hex)/link", Array("sha256:\(hex)".utf8))
            layout = try StorageLayout(driver: S3StorageDriver(client: client), root: "store")
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-local-q-\(UUID().uuidString)")
        }

        func snapshot() throws -> [String: [UInt8]] {
            var objects: [String: [UInt8]] = [:]
            for object in try client.list(prefix: "").objects { objects[object.key] = try client.get(object.key) }
            return objects
        }

        func moves() -> [Quarantine.Move] {
            [blob, tag].map { Quarantine.Move(path: $0, reason: "test", fixer: "unit") }
        }

        /// Every non-hidden file under the quarantine directory, relative to it.
        func localFiles() -> [String] {
            let all = (FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String]) ?? []
            return all.filter { !FileManager.default.fileExists(atPath: "\(directory.path)/\($0)/.") }.sorted()
        }
    }

    /// 80 MiB is above `QuarantineMover.compareLimit`: the leftover is recognised by sha256.
    @Test(
        "a multi-MiB blob and a tag: killed after the copies, moved again by a rerun, then reverted byte for byte without a conflict",
        arguments: [6, 80])
    func killedBetweenCopyAndDelete(megabytes: Int) async throws {
        try await MotoServer.with { moto in
            let setup = try Setup(moto, megabytes: megabytes)
            defer { try? FileManager.default.removeItem(at: setup.directory) }
            let before = try setup.snapshot()
            let killedLayout = try StorageLayout(driver: UndeletableS3Driver(s3: S3StorageDriver(client: setup.client)), root: "store")
            let killed = try Quarantine(localDirectory: setup.directory.path, layout: killedLayout)
            let first = try killed.newSession("20250101T000000Z")
            #expect {
                try killed.move(setup.moves(), session: first)
            } throws: { error in
                "\(error)".contains("killed")
            }
            // The copy is complete and durable on disk; the bucket still has the object.
            let copied = setup.directory.appendingPathComponent("\(first)/files/\(setup.blob)")
            #expect(try Data(contentsOf: copied) == Data(before["\(Self.v2)/\(setup.blob)"] ?? []))
            #expect(try setup.snapshot() == before)
            // A download killed part way leaves a hidden partial file: nothing reads it.
            try Data("partial".utf8).write(to: copied.deletingLastPathComponent().appendingPathComponent(".data.partial"))

            let quarantine = try Quarantine(localDirectory: setup.directory.path, layout: setup.layout)
            let second = try quarantine.newSession("20250101T000001Z")
            let (_, done) = try quarantine.move(setup.moves(), session: second)
            #expect(done.map(\.path) == [setup.blob, setup.tag])
            let remaining = try setup.snapshot().keys.sorted()
            #expect(remaining.isEmpty, "objects left in the bucket: \(remaining)")
            #expect(setup.localFiles().contains("\(second)/files/\(setup.blob)"))
            #expect(FileManager.default.fileExists(atPath: setup.directory.appendingPathComponent("\(second)/moves.jsonl").path))

            let result = try quarantine.revert()
            #expect(result.conflicts.isEmpty)
            #expect(result.sessions == 2)
            #expect(result.restored.sorted() == [setup.blob, setup.tag])
            #expect(try setup.snapshot() == before)
            let left = setup.localFiles().filter { $0.contains("/files/") }
            #expect(left.isEmpty, "files left in the quarantine: \(left)")
            for session in [first, second] {
                #expect(FileManager.default.fileExists(atPath: setup.directory.appendingPathComponent("\(session)/moves.reverted.jsonl").path))
            }
        }
    }

    @Test("revert killed after its uploads, before removing the local files: revert again finishes without a conflict")
    func revertKilledAfterUpload() async throws {
        try await MotoServer.with { moto in
            let setup = try Setup(moto, megabytes: 3)
            defer { try? FileManager.default.removeItem(at: setup.directory) }
            let before = try setup.snapshot()
            let quarantine = try Quarantine(localDirectory: setup.directory.path, layout: setup.layout)
            let (session, _) = try quarantine.move(setup.moves(), session: try quarantine.newSession("20250101T000000Z"))
            #expect(try setup.snapshot().isEmpty)
            // What a kill after the uploads leaves: the objects back, the local files still there.
            for file in setup.localFiles() where file.contains("/files/") {
                let key = "\(Self.v2)/\(file.split(separator: "/").dropFirst(2).joined(separator: "/"))"
                try setup.client.upload(setup.directory.appendingPathComponent(file).path, to: key)
            }
            #expect(try setup.snapshot() == before)
            let result = try quarantine.revert()
            #expect(result.conflicts.isEmpty)
            #expect(try setup.snapshot() == before)
            #expect(!FileManager.default.fileExists(atPath: "\(session)/files"))
        }
    }

    @Test("a quarantined file that differs from the object there now is a conflict, and neither is touched")
    func differentIsConflict() async throws {
        try await MotoServer.with { moto in
            let setup = try Setup(moto, megabytes: 1)
            defer { try? FileManager.default.removeItem(at: setup.directory) }
            let quarantine = try Quarantine(localDirectory: setup.directory.path, layout: setup.layout)
            let (session, _) = try quarantine.move(setup.moves(), session: try quarantine.newSession("20250101T000000Z"))
            let key = "\(Self.v2)/\(setup.blob)"
            try setup.client.put(key, Array("something else".utf8))
            let result = try quarantine.revert()
            #expect(result.conflicts == [setup.blob])
            #expect(try setup.client.get(key) == Array("something else".utf8))
            #expect(FileManager.default.fileExists(atPath: "\(session)/files/\(setup.blob)"))
        }
    }
}
