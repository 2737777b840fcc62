import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryStorage
import Testing

@Suite("Quarantine: move, revert, sessions, stop")
struct QuarantineTests {
    struct Setup {
        let store: StoreFixture
        let quarantine: Quarantine
        let directory: URL
        let app: BuiltManifest

        init() throws {
            store = try StoreFixture()
            app = try store.image("team/app", tags: ["v1", "v2"], seed: "quarantine")
            directory = store.root.deletingLastPathComponent().appendingPathComponent(store.root.lastPathComponent + "-quarantine")
            quarantine = Quarantine(directory: directory.path, layout: try store.layout())
        }

        func cleanup() {
            store.cleanup()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func move(_ path: String) -> Quarantine.Move {
        Quarantine.Move(path: path, reason: "test \(path)", fixer: "unit")
    }

    @Test("move then revert puts every file back byte for byte; the record lists each move once")
    func roundTrip() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let before = try setup.store.tree()
        let tag = "repositories/team/app/_manifests/tags/v2"
        let blob = blobDirectory(setup.app.layerDigests[0])
        let revision = "repositories/team/app/_manifests/revisions/sha256/\(hex(setup.app.digest))"
        let moves = [
            Self.move(tag), Self.move(blob), Self.move(revision),
            Self.move("\(tag)/current/link"),  // inside a path already moved: skipped
            Self.move("repositories/team/app/_manifests/tags/nope"),  // not there: skipped
        ]
        let session = try setup.quarantine.newSession("20250101T000000Z")
        let (sessionPath, done) = try setup.quarantine.move(moves, session: session)
        let sessionDirectory = URL(fileURLWithPath: sessionPath)
        #expect(sessionPath == setup.directory.appendingPathComponent("20250101T000000Z").standardizedFileURL.path)
        // Sorted by path, each once.
        #expect(done == [Self.move(blob), Self.move(revision), Self.move(tag)])
        for path in [tag, blob, revision] {
            #expect(!setup.store.exists(path), "\(path) still in the store")
            #expect(FileManager.default.fileExists(atPath: sessionDirectory.appendingPathComponent("files/\(path)").path))
        }
        let recorded = try JSONLinesFile.read(Quarantine.Move.self, from: sessionDirectory.appendingPathComponent("moves.jsonl").path) {
            EvictorCoreError.invalidJournal("moves", reason: $0)
        }
        #expect(recorded == done)
        // The moved blob's bytes are the same in the quarantine.
        let layerURL = sessionDirectory.appendingPathComponent("files/\(blob)/data")
        #expect(Sha256.digest(try Data(contentsOf: layerURL)) == setup.app.layerDigests[0])

        let result = try setup.quarantine.revert()
        #expect(result.sessions == 1)
        #expect(result.conflicts == [])
        #expect(result.restored == [tag, revision, blob])
        #expect(try setup.store.tree() == before)
        #expect(FileManager.default.fileExists(atPath: sessionDirectory.appendingPathComponent("moves.reverted.jsonl").path))
        #expect(!FileManager.default.fileExists(atPath: sessionDirectory.appendingPathComponent("moves.jsonl").path))

        // Reverting again finds nothing left to do.
        let again = try setup.quarantine.revert()
        #expect(again.sessions == 0)
        #expect(again.restored == [])
    }

    @Test("revert leaves a path that exists again alone, reports it, and keeps the session's record")
    func revertConflict() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let tag = "repositories/team/app/_manifests/tags/v2"
        let layer = "repositories/team/app/_layers/sha256/\(hex(setup.app.layerDigests[0]))"
        let session = try setup.quarantine.newSession("20250101T000000Z")
        let (sessionPath, done) = try setup.quarantine.move([Self.move(tag), Self.move(layer)], session: session)
        let sessionDirectory = URL(fileURLWithPath: sessionPath)
        #expect(done.count == 2)
        // Someone pushes v2 again meanwhile.
        try setup.store.write("team/app", "_manifests/tags/v2/current/link", fakeDigest("a"))

        let result = try setup.quarantine.revert()
        #expect(result.conflicts == [tag])
        #expect(result.restored == [layer])
        #expect(result.sessions == 1)
        #expect(try String(contentsOf: setup.store.v2.appendingPathComponent("\(tag)/current/link"), encoding: .utf8) == fakeDigest("a"))
        #expect(FileManager.default.fileExists(atPath: sessionDirectory.appendingPathComponent("files/\(tag)/current/link").path))
        #expect(FileManager.default.fileExists(atPath: sessionDirectory.appendingPathComponent("moves.jsonl").path))
        #expect(setup.store.exists(layer))
    }

    @Test("a conflict in one session does not keep another, fully reverted session from being marked reverted")
    func conflictIsPerSession() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let v1 = "repositories/team/app/_manifests/tags/v1"
        let v2 = "repositories/team/app/_manifests/tags/v2"
        let older = try setup.quarantine.newSession("20250101T000000Z")
        _ = try setup.quarantine.move([Self.move(v1)], session: older)
        let newer = try setup.quarantine.newSession("20250101T000000Z")
        _ = try setup.quarantine.move([Self.move(v2)], session: newer)
        try setup.store.write("team/app", "_manifests/tags/v2/current/link", fakeDigest("a"))

        let result = try setup.quarantine.revert()
        #expect(result.sessions == 2)
        #expect(result.restored == [v1])
        #expect(result.conflicts == [v2])
        let olderDirectory = setup.directory.appendingPathComponent(older)
        let newerDirectory = setup.directory.appendingPathComponent(newer)
        #expect(FileManager.default.fileExists(atPath: olderDirectory.appendingPathComponent("moves.reverted.jsonl").path))
        #expect(!FileManager.default.fileExists(atPath: olderDirectory.appendingPathComponent("moves.jsonl").path))
        #expect(FileManager.default.fileExists(atPath: newerDirectory.appendingPathComponent("moves.jsonl").path))

        // Only the session with the conflict is left to revert.
        let again = try setup.quarantine.revert()
        #expect(again.sessions == 1)
        #expect(again.restored == [])
        #expect(again.conflicts == [v2])
    }

    @Test("newSession gives distinct names in the same second, in order")
    func distinctSessions() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let names = try (0..<4).map { _ in try setup.quarantine.newSession("20250101T000000Z") }
        #expect(names == ["20250101T000000Z", "20250101T000000Z-002", "20250101T000000Z-003", "20250101T000000Z-004"])
        for name in names {
            var isDirectory: ObjCBool = false
            #expect(
                FileManager.default.fileExists(atPath: setup.directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                    && isDirectory.boolValue)
        }
    }

    @Test("sessions revert newest first: a path moved twice comes back as last moved, the older copy is a conflict")
    func newestSessionFirst() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let tag = "repositories/team/app/_manifests/tags/v2"
        let first = try setup.quarantine.newSession("20250101T000000Z")
        _ = try setup.quarantine.move([Self.move(tag)], session: first)
        try setup.store.write("team/app", "_manifests/tags/v2/current/link", fakeDigest("b"))
        let second = try setup.quarantine.newSession("20250101T000000Z")
        _ = try setup.quarantine.move([Self.move(tag)], session: second)

        let result = try setup.quarantine.revert()
        #expect(result.sessions == 2)
        // The second session's tag goes back first, so the first session's is a conflict.
        #expect(result.restored == [tag])
        #expect(result.conflicts == [tag])
        #expect(try String(contentsOf: setup.store.v2.appendingPathComponent("\(tag)/current/link"), encoding: .utf8) == fakeDigest("b"))
    }

    @Test("a stop requested before the moves moves nothing and records nothing")
    func stopBeforeMoves() throws {
        let setup = try Setup()
        defer { setup.cleanup() }
        let before = try setup.store.tree()
        let stop = StopRequest()
        stop.request(signal: SIGINT)
        let session = try setup.quarantine.newSession("20250101T000000Z")
        let moves = ["repositories/team/app/_manifests/tags/v1", "repositories/team/app/_manifests/tags/v2"].map(Self.move)
        let (sessionPath, done) = try setup.quarantine.move(moves, session: session, stop: stop)
        let sessionDirectory = URL(fileURLWithPath: sessionPath)
        #expect(done == [])
        #expect(try setup.store.tree() == before)
        let recorded = try JSONLinesFile.read(Quarantine.Move.self, from: sessionDirectory.appendingPathComponent("moves.jsonl").path) {
            EvictorCoreError.invalidJournal("moves", reason: $0)
        }
        #expect(recorded == [])
        // Without the stop the same moves are made (the session is reused).
        let (_, all) = try setup.quarantine.move(moves, session: session)
        #expect(all == moves)
    }
}
