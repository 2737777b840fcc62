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

    @Test("storage.config: the registry's config.yml gives the filesystem root; other drivers are one error naming the file")
    func registryConfigFile() throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let filesystem = "\(root)/config.yml"
        try "version: 0.1\nstorage:\n  delete:\n    enabled: true\n  filesystem:\n    rootdirectory: /srv/registry\nhttp:\n  addr: :5000\n"
            .write(toFile: filesystem, atomically: true, encoding: .utf8)
        #expect(try RegistryStorageSettings.root(of: .config(filesystem)) == "/srv/registry")
        #expect(try RegistryStorageSettings.root(of: .root("/data")) == "/data")
        let s3 = "\(root)/s3.yml"
        try "version: 0.1\nstorage:\n  s3:\n    bucket: b\n    secretkey: hunter2\n".write(toFile: s3, atomically: true, encoding: .utf8)
        do {
            _ = try RegistryStorageSettings.root(of: .config(s3))
            Issue.record("an s3 store has no root directory")
        } catch {
            #expect(error.description.contains("s3.yml") && error.description.contains("s3"))
            #expect(!error.description.contains("hunter2"))
        }
        #expect(throws: ConfigError.self) { try RegistryStorageSettings.root(of: .config("\(root)/missing.yml")) }
    }
}
