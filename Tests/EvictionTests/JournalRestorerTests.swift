import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryAPI
import Testing
@testable import Eviction

@Suite("JournalRestorer.candidates")
struct JournalCandidateTests {
    static func d(_ character: Character) throws -> Digest { try digest("sha256:" + String(repeating: character, count: 64)) }

    static func intent(_ repository: String, _ digest: Digest, tags: [String]) -> JournalRecord {
        JournalRecord(
            event: .intent, repository: repository, digest: digest, mediaType: OCIMediaType.imageManifest, tags: tags, manifest: Array("{}".utf8))
    }

    @Test("the latest intent per repository and digest, newest first; other events are ignored; a repository filter keeps only those")
    func candidates() throws {
        let a = try Self.d("a")
        let b = try Self.d("b")
        let c = try Self.d("c")
        let records = [
            JournalRecord(event: .begin, registry: "http://127.0.0.1:1", plan: "p"),
            Self.intent("shop/app", a, tags: ["first"]),  // 1: superseded by 6
            JournalRecord(event: .deleted, repository: "shop/app", digest: a),
            Self.intent("shop/app", b, tags: ["b"]),  // 3
            Self.intent("shop/web", a, tags: ["web"]),  // 4: same digest, other repository
            JournalRecord(event: .deleted, repository: "shop/web", digest: c),  // never an intent: not a candidate
            Self.intent("shop/app", a, tags: ["second"]),  // 6
            JournalRecord(event: .restored, repository: "shop/app", digest: b, tags: ["b"]),
            JournalRecord(event: .intent, repository: nil, digest: c),  // incomplete: ignored
        ]
        let all = JournalRestorer.candidates(records, repositories: [])
        #expect(all.map { "\($0.repository!)@\($0.digest!.hex.prefix(1))" } == ["shop/app@a", "shop/web@a", "shop/app@b"])
        #expect(all.first?.tags == ["second"])
        #expect(all.allSatisfy { $0.event == .intent })

        let app = JournalRestorer.candidates(records, repositories: ["shop/app"])
        #expect(app.map { "\($0.repository!)@\($0.digest!.hex.prefix(1))" } == ["shop/app@a", "shop/app@b"])
        #expect(JournalRestorer.candidates(records, repositories: ["shop/none"]).isEmpty)
        #expect(JournalRestorer.candidates([], repositories: []).isEmpty)
    }
}

@Suite("JournalRestorer against the real registry")
struct JournalRestorerTests {
    static let planSHA = String(repeating: "c", count: 64)

    /// Pushes `shop/app:v1` and `shop/app:multi` (an index of two images), deletes them all
    /// with a plan (index first, then its children and v1) and returns them.
    static func deleteAll(_ fixture: RegistryFixture, journal: Journal) async throws -> (app: BuiltManifest, index: BuiltManifest) {
        let app = try await fixture.push("shop/app", "v1", RegistryFixture.spec("restore-app", day: 1))
        let index = try await fixture.pushIndex(
            "shop/app", "multi",
            [
                RegistryFixture.spec("restore-amd", day: 2), RegistryFixture.spec("restore-arm", day: 3, platform: .linuxArm64),
            ])
        let plan = RegistryFixture.plan(
            fixture.registry,
            [
                try RegistryFixture.action("shop/app", index, tags: ["multi"], phase: 1),
                try RegistryFixture.action("shop/app", index.children[0], tags: []),
                try RegistryFixture.action("shop/app", index.children[1], tags: []),
                try RegistryFixture.action("shop/app", app, tags: ["v1"]),
            ])
        let report = try await PlanExecutor(client: fixture.client, journal: journal).apply(plan, planSHA256: planSHA, previous: [])
        #expect(report.deleted == 4)
        for built in [app, index] + index.children { #expect(try await fixture.current("shop/app", built.digest) == nil) }
        return (app, index)
    }

    @Test("restore puts deleted manifests and their tags back, children before their index; a second restore finds them present")
    func restore() async throws {
        try await RegistryFixture.with { fixture in
            let journal = try Journal(path: fixture.journalPath())
            let (app, index) = try await Self.deleteAll(fixture, journal: journal)
            let candidates = JournalRestorer.candidates(try Journal.read(journal.path), repositories: [])
            #expect(candidates.count == 4)
            // The index was deleted first, so it comes back last.
            #expect(candidates.last?.digest == (try digest(index.digest)))

            let restorer = JournalRestorer(client: fixture.client, journal: journal)
            let results = await restorer.restore(candidates)
            #expect(results.map(\.status) == Array(repeating: .restored, count: 4), "\(results)")
            let tags = Dictionary(uniqueKeysWithValues: results.map { ($0.digest.description, $0.tags) })
            #expect(tags == [app.digest: ["v1"], index.digest: ["multi"], index.children[0].digest: [], index.children[1].digest: []])
            #expect(results.allSatisfy { $0.notes.isEmpty })

            #expect(try await fixture.current("shop/app", "v1") == (try digest(app.digest)))
            #expect(try await fixture.current("shop/app", "multi") == (try digest(index.digest)))
            for child in index.children { #expect(try await fixture.current("shop/app", child.digest) == (try digest(child.digest))) }
            let restoredBytes = try await fixture.client.manifestDocument("shop/app", reference: "multi").bytes
            #expect(restoredBytes == [UInt8](index.bytes))
            let records = try Journal.read(journal.path)
            #expect(records.filter { $0.event == .restored }.count == 4)

            let again = await restorer.restore(candidates)
            #expect(again.map(\.status) == Array(repeating: .alreadyPresent, count: 4))
            #expect(try Journal.read(journal.path).count == records.count)
        }
    }

    @Test("a tag that now points elsewhere is left alone; the manifest still comes back by digest")
    func movedTagLeftAlone() async throws {
        try await RegistryFixture.with { fixture in
            let journal = try Journal(path: fixture.journalPath())
            let (app, _) = try await Self.deleteAll(fixture, journal: journal)
            let newer = try await fixture.push("shop/app", "v1", RegistryFixture.spec("restore-newer", day: 5))
            let candidates = JournalRestorer.candidates(try Journal.read(journal.path), repositories: ["shop/app"]).filter {
                $0.digest == (try? digest(app.digest))
            }
            let results = await JournalRestorer(client: fixture.client, journal: nil).restore(candidates)
            #expect(results.count == 1)
            let result = try #require(results.first)
            #expect(result.status == .restored)
            #expect(result.tags == [])
            #expect(result.notes == ["tag v1 now points at \(String(newer.digest.prefix(19))); left alone"])
            #expect(try await fixture.current("shop/app", "v1") == (try digest(newer.digest)))
            #expect(try await fixture.current("shop/app", app.digest) == (try digest(app.digest)))
        }
    }

    @Test("an index whose children are not back cannot be restored, and says which child")
    func indexBeforeChildren() async throws {
        try await RegistryFixture.with { fixture in
            let journal = try Journal(path: fixture.journalPath())
            let (_, index) = try await Self.deleteAll(fixture, journal: journal)
            let candidates = JournalRestorer.candidates(try Journal.read(journal.path), repositories: []).filter {
                $0.digest == (try? digest(index.digest))
            }
            let results = await JournalRestorer(client: fixture.client, journal: nil).restore(candidates)
            let child = String(index.children[0].digest.prefix(19))
            #expect(
                results.map(\.status) == [
                    .cannotRestore("child manifest \(child) is not in the registry (restore it first, or it was garbage-collected)")
                ])
            #expect(try await fixture.current("shop/app", "multi") == nil)
        }
    }

    @Test("a stop requested before the restore puts nothing back")
    func stopHonoured() async throws {
        try await RegistryFixture.with { fixture in
            let journal = try Journal(path: fixture.journalPath())
            let (app, index) = try await Self.deleteAll(fixture, journal: journal)
            let before = try Journal.read(journal.path)
            let stop = StopRequest()
            stop.request(signal: SIGINT)
            let results = await JournalRestorer(client: fixture.client, journal: journal).restore(
                JournalRestorer.candidates(before, repositories: []), stop: stop)
            #expect(results.isEmpty)
            for built in [app, index] + index.children { #expect(try await fixture.current("shop/app", built.digest) == nil) }
            #expect(try Journal.read(journal.path).count == before.count)
        }
    }
}
