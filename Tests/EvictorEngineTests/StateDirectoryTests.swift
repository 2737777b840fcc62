import EvictorEngine
import Foundation
import Testing

/// The state directory of `evictor run`: its lock, and pruning by run.
@Suite("state directory")
struct StateDirectoryTests {
    static func temporary() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-state-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("prune keeps the files of the newest runs, grouped by stamp, and leaves other names alone")
    func prune() throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let state = try StateDirectory(path: root)
        let stamps = ["20261101T030000Z", "20261102T030000Z", "20261103T030000Z", "20261103T030000Z-002"]
        for stamp in stamps {
            FileManager.default.createFile(atPath: "\(root)/runs/\(stamp).json", contents: Data("{}".utf8))
            FileManager.default.createFile(atPath: "\(root)/journals/\(stamp)-main.jsonl", contents: nil)
            FileManager.default.createFile(atPath: "\(root)/journals/\(stamp)-main.plan.json", contents: nil)
            try FileManager.default.createDirectory(atPath: "\(root)/reports/\(stamp)-main", withIntermediateDirectories: true)
        }
        FileManager.default.createFile(atPath: "\(root)/plans/notes.txt", contents: nil)
        let removed = state.prune(keep: 2)
        #expect(removed.count == 4)
        #expect(removed.allSatisfy { $0.contains("20261101T030000Z") })
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(root)/journals").sorted()
        #expect(left.count == 6)
        #expect(FileManager.default.fileExists(atPath: "\(root)/plans/notes.txt"))
        #expect(state.prune(keep: 2).isEmpty)
    }

    @Test("a second holder of the same directory is refused")
    func lock() throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try StateDirectory(path: root)
        #expect(throws: (any Error).self) { try StateDirectory(path: root) }
        _ = first
    }

    @Test("storage.config: the registry's config.yml names a filesystem root or an s3 bucket; what cannot work is one error naming the file")
    func registryConfigFile() throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let filesystem = "\(root)/config.yml"
        try "version: 0.1\nstorage:\n  delete:\n    enabled: true\n  filesystem:\n    rootdirectory: /srv/registry\nhttp:\n  addr: :5000\n"
            .write(toFile: filesystem, atomically: true, encoding: .utf8)
        #expect(try RegistryStorageSettings.location(inRegistryConfig: filesystem) == .filesystem("/srv/registry"))
        #expect(try StorageSource(checking: .config(filesystem)) == .registryConfig(filesystem))
        #expect(try StorageSource(checking: .root("/data")) == .root("/data"))

        let s3 = "\(root)/s3.yml"
        try "version: 0.1\nstorage:\n  s3:\n    bucket: b\n    region: eu-west-1\n    accesskey: AKIDEXAMPLE\n    secretkey: hunter2\n"
            .write(toFile: s3, atomically: true, encoding: .utf8)
        #expect(try StorageSource(checking: .config(s3), environment: [:]) == .registryConfig(s3))

        let keyless = "\(root)/keyless.yml"
        try "version: 0.1\nstorage:\n  s3:\n    bucket: b\n    region: eu-west-1\n".write(toFile: keyless, atomically: true, encoding: .utf8)
        #expect(
            try StorageSource(checking: .config(keyless), environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])
                == .registryConfig(keyless))
        do {
            _ = try StorageSource(checking: .config(keyless), environment: [:])
            Issue.record("an s3 store without credentials cannot be read")
        } catch {
            #expect(error.description.contains("keyless.yml") && error.description.contains("accesskey"), "\(error)")
        }

        let badBucket = "\(root)/bad.yml"
        try "version: 0.1\nstorage:\n  s3:\n    bucket: a/b\n    region: eu-west-1\n    accesskey: AKIDEXAMPLE\n    secretkey: hunter2\n"
            .write(toFile: badBucket, atomically: true, encoding: .utf8)
        do {
            _ = try StorageSource(checking: .config(badBucket), environment: [:])
            Issue.record("a bucket name with a slash is not a bucket")
        } catch {
            #expect(error.description.contains("bad.yml") && error.description.contains("bucket"), "\(error)")
            #expect(!error.description.contains("hunter2"))
        }
        #expect(throws: ConfigError.self) { try StorageSource(checking: .config("\(root)/missing.yml")) }
    }
}
