import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryStorage
import Testing

/// On an object store a move is copies, then deletes: what a kill between them leaves.
@Suite("Quarantine on an object store: moves killed between copy and delete")
struct QuarantineObjectStoreTests {
    struct Setup {
        let store: StoreFixture
        let quarantine: Quarantine
        let directory: URL
        let app: BuiltManifest

        init() throws {
            store = try StoreFixture()
            app = try store.image("team/app", tags: ["v1", "v2"], seed: "object-quarantine")
            directory = store.root.deletingLastPathComponent().appendingPathComponent(store.root.lastPathComponent + "-quarantine")
            let layout = try StorageLayout(driver: WalkingDriver(etags: false), root: store.root.path)
            quarantine = Quarantine(directory: directory.path, layout: layout)
        }

        func cleanup() {
            store.cleanup()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Moves `path` in a new session, then puts back `leftovers` (relative to it) as a kill
        /// before their deletes would have left them.
        func killedMove(_ path: String, leaving leftovers: [String]) throws -> String {
            let session = try quarantine.newSession("20250101T000000Z")
            let (sessionPath, _) = try quarantine.move([Quarantine.Move(path: path, reason: "test", fixer: "unit")], session: session)
            for leftover in leftovers {
                let original = store.v2.appendingPathComponent("\(path)/\(leftover)")
                try FileManager.default.createDirectory(at: original.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: "\(sessionPath)/files/\(path)/\(leftover)", toPath: original.path)
            }
            return sessionPath
        }
    }

    @Test("each move's record is an object of its own, written once; a second pass of the session adds after it; revert reads them all")
    func recordsAreWrittenOnce() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let session = try setup.quarantine.newSession("20250101T000000Z")
        let tags = ["v1", "v2"].map { "repositories/team/app/_manifests/tags/\($0)" }
        let (first, _) = try setup.quarantine.move([Quarantine.Move(path: tags[0], reason: "test", fixer: "unit")], session: session)
        _ = try setup.quarantine.move([Quarantine.Move(path: tags[1], reason: "test", fixer: "unit")], session: session)
        let records = try FileManager.default.contentsOfDirectory(atPath: "\(first)/moves.jsonl.d").sorted()
        #expect(records == ["00000000.json", "00000001.json"])
        #expect(!FileManager.default.fileExists(atPath: "\(first)/moves.jsonl"), "no whole record rewritten per move")
        let result = try setup.quarantine.revert()
        #expect(result.restored.sorted() == tags && result.conflicts.isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(first)/moves.reverted.jsonl"))
        #expect(!FileManager.default.fileExists(atPath: "\(first)/moves.jsonl.d/00000000.json"))
    }

    @Test("killed after its copies (all, or some deletes done), moved again by the rerun: revert restores the tag exactly, no conflict")
    func leftoversAreNotConflicts() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let tag = "repositories/team/app/_manifests/tags/v2"
        let directory = setup.store.v2.appendingPathComponent(tag).path
        let entries = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
        let files = entries.filter { !FileManager.default.fileExists(atPath: "\(directory)/\($0)/.") }.sorted()
        #expect(files.count == 2, "\(files)")
        let before = try setup.store.tree()
        // Killed before any delete: every object is in both places.
        let first = try setup.killedMove(tag, leaving: files)
        // The rerun moves it again; killed again after one of its two deletes.
        let second = try setup.killedMove(tag, leaving: [files[0]])
        // The last rerun moves what was left.
        _ = try setup.killedMove(tag, leaving: [])

        let result = try setup.quarantine.revert()
        #expect(result.conflicts == [])
        #expect(result.sessions == 3)
        #expect(try setup.store.tree() == before)
        for session in [first, second] {
            #expect(!FileManager.default.fileExists(atPath: "\(session)/files/\(tag)/\(files[0])"), "a leftover stayed in \(session)")
            #expect(FileManager.default.fileExists(atPath: "\(session)/moves.reverted.jsonl"))
        }
    }

    @Test("a quarantined file that differs from what is there now is still a conflict, and nothing of that path is touched")
    func differentIsConflict() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let tag = "repositories/team/app/_manifests/tags/v2"
        let session = try setup.killedMove(tag, leaving: [])
        try setup.store.write("team/app", "_manifests/tags/v2/current/link", fakeDigest("a"))
        let result = try setup.quarantine.revert()
        #expect(result.conflicts == [tag])
        #expect(FileManager.default.fileExists(atPath: "\(session)/files/\(tag)/current/link"))
        #expect(try String(contentsOf: setup.store.v2.appendingPathComponent("\(tag)/current/link"), encoding: .utf8) == fakeDigest("a"))
    }
}
