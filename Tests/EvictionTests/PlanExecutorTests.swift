import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryAPI
import Testing
@testable import Eviction

@Suite("PlanExecutor: phases")
struct PlanExecutorPhaseTests {
    @Test("phases are runs of consecutive actions of one phase, in plan order")
    func phases() throws {
        func action(_ character: Character, _ phase: Int) throws -> Plan.Action {
            Plan.Action(
                repository: "r", digest: try digest("sha256:" + String(repeating: character, count: 64)), mediaType: "m", tags: [], reasons: [],
                size: 0, phase: phase)
        }
        let actions = [try action("a", 0), try action("b", 0), try action("c", 1), try action("d", 2), try action("e", 2), try action("f", 1)]
        let batches = PlanExecutor.phases(actions)
        #expect(batches.map { $0.map { String($0.digest.hex.prefix(1)) } } == [["a", "b"], ["c"], ["d", "e"], ["f"]])
        #expect(batches.map { $0.map(\.phase) } == [[0, 0], [1], [2, 2], [1]])
        #expect(PlanExecutor.phases([]).isEmpty)
    }
}

@Suite("PlanExecutor against the real registry")
struct PlanExecutorTests {
    static let planSHA = String(repeating: "a", count: 64)

    static func outcomes(_ report: ApplyReport) -> [String: ApplyReport.Outcome] {
        Dictionary(uniqueKeysWithValues: report.entries.map { ($0.digest, $0.outcome) })
    }

    @Test("each manifest is journaled (bytes, media type, tags) before its delete; only the planned manifests go")
    func journalFirst() async throws {
        try await RegistryFixture.with { fixture in
            let one = try await fixture.push("shop/app", "v1", RegistryFixture.spec("exec-1", day: 1))
            let two = try await fixture.push("shop/app", "v2", RegistryFixture.spec("exec-2", day: 2))
            let three = try await fixture.push("shop/app", "v3", RegistryFixture.spec("exec-3", day: 3))
            let plan = RegistryFixture.plan(
                fixture.registry,
                [try RegistryFixture.action("shop/app", one, tags: ["v1"]), try RegistryFixture.action("shop/app", two, tags: ["v2"])])
            let journal = try Journal(path: fixture.journalPath())
            let report = try await PlanExecutor(client: fixture.client, journal: journal).apply(plan, planSHA256: Self.planSHA, previous: [])

            #expect(Self.outcomes(report) == [one.digest: .deleted, two.digest: .deleted])
            #expect(report.deleted == 2)
            #expect(report.entries.map(\.tags).sorted { $0[0] < $1[0] } == [["v1"], ["v2"]])
            #expect(try await fixture.current("shop/app", one.digest) == nil)
            #expect(try await fixture.current("shop/app", two.digest) == nil)
            #expect(try await fixture.current("shop/app", "v3") == (try digest(three.digest)))
            #expect(try await fixture.client.tags(of: "shop/app") == ["v3"])

            let records = try Journal.read(journal.path)
            #expect(records.count == 5)
            #expect(records.first?.event == .begin)
            #expect(records.first?.plan == Self.planSHA)
            #expect(records.first?.registry == fixture.registry.url)
            for (built, tag) in [(one, "v1"), (two, "v2")] {
                let d = try digest(built.digest)
                let events = records.enumerated().filter { $0.element.digest == d }
                #expect(events.map(\.element.event) == [.intent, .deleted])
                let intent = try #require(events.first?.element)
                #expect(intent.manifestBytes == [UInt8](built.bytes))
                #expect(intent.mediaType == OCIMediaType.imageManifest)
                #expect(intent.tags == [tag])
                #expect(intent.repository == "shop/app")
                #expect(intent.registry == fixture.registry.url)
            }
        }
    }

    @Test("an action whose tag moved, vanished, or whose digest gained a tag is skipped and journaled, not deleted")
    func movedTagSkipped() async throws {
        try await RegistryFixture.with { fixture in
            let moved = try await fixture.push("shop/moved", "v1", RegistryFixture.spec("skip-moved", day: 1))
            let newer = try await fixture.push("shop/moved", "v2", RegistryFixture.spec("skip-newer", day: 2))
            let alias = try await fixture.push("shop/alias", "v1", RegistryFixture.spec("skip-alias", day: 1))
            let gone = try await fixture.push("shop/gone", "v1", RegistryFixture.spec("skip-gone", day: 1))
            let plan = RegistryFixture.plan(
                fixture.registry,
                [
                    try RegistryFixture.action("shop/moved", moved, tags: ["v1"]),
                    try RegistryFixture.action("shop/alias", alias, tags: ["v1"]),
                    try RegistryFixture.action("shop/gone", gone, tags: ["v1", "v0"]),
                ])
            // After planning: v1 moves to another image, a new tag lands on a planned digest.
            try await fixture.tag("shop/moved", "v1", newer)
            try await fixture.tag("shop/alias", "prod", alias)

            let journal = try Journal(path: fixture.journalPath())
            let report = try await PlanExecutor(client: fixture.client, journal: journal).apply(plan, planSHA256: Self.planSHA, previous: [])
            let short = { (text: String) in String(text.prefix(19)) }
            #expect(
                Self.outcomes(report) == [
                    moved.digest: .skipped("tag v1 moved from \(short(moved.digest)) to \(short(newer.digest)) since planning"),
                    alias.digest: .skipped("tag prod, not in the plan, now points at \(short(alias.digest))"),
                    gone.digest: .skipped("tag v0 is gone since planning"),
                ])
            #expect(report.skipped.count == 3)
            #expect(report.deleted == 0)
            for (repository, built) in [("shop/moved", moved), ("shop/alias", alias), ("shop/gone", gone)] {
                #expect(try await fixture.current(repository, built.digest) == (try digest(built.digest)), "\(repository) lost its manifest")
            }
            let records = try Journal.read(journal.path)
            #expect(records.map(\.event).sorted { $0.rawValue < $1.rawValue } == [.begin, .skipped, .skipped, .skipped])
            #expect(!records.contains { $0.event == .intent })
        }
    }

    @Test("a resumed run confirms against the registry: deleted earlier stays so, a manifest put back is deleted again")
    func resume() async throws {
        try await RegistryFixture.with { fixture in
            let one = try await fixture.push("shop/app", "v1", RegistryFixture.spec("resume-1", day: 1))
            let two = try await fixture.push("shop/app", "v2", RegistryFixture.spec("resume-2", day: 2))
            let keep = try await fixture.push("shop/app", "v3", RegistryFixture.spec("resume-3", day: 3))
            let plan = RegistryFixture.plan(
                fixture.registry,
                [try RegistryFixture.action("shop/app", one, tags: ["v1"]), try RegistryFixture.action("shop/app", two, tags: ["v2"])])
            // Someone else deletes v2 before the first run.
            #expect(try await fixture.client.deleteManifest("shop/app", digest: try digest(two.digest)))
            let journal = try Journal(path: fixture.journalPath())
            let executor = PlanExecutor(client: fixture.client, journal: journal)

            let first = try await executor.apply(plan, planSHA256: Self.planSHA, previous: [])
            #expect(Self.outcomes(first) == [one.digest: .deleted, two.digest: .alreadyGone])
            let afterFirst = try Journal.read(journal.path)
            #expect(afterFirst.filter { $0.digest == (try? digest(two.digest)) }.map(\.event) == [.gone])

            // Again: both confirmed gone, nothing journaled but the run's begin.
            let second = try await executor.apply(plan, planSHA256: Self.planSHA, previous: afterFirst)
            #expect(Self.outcomes(second) == [one.digest: .deletedEarlier, two.digest: .deletedEarlier])
            #expect(second.alreadyGone == 2)
            #expect(second.deleted == 0)
            let afterSecond = try Journal.read(journal.path)
            #expect(afterSecond.dropFirst(afterFirst.count).map(\.event) == [.begin])

            // The journal says v1 was deleted, but it is back (a restore): deleted again, journaled again.
            try await fixture.tag("shop/app", "v1", one)
            #expect(try await fixture.current("shop/app", "v1") == (try digest(one.digest)))
            let third = try await executor.apply(plan, planSHA256: Self.planSHA, previous: afterSecond)
            #expect(Self.outcomes(third) == [one.digest: .deleted, two.digest: .deletedEarlier])
            #expect(try await fixture.current("shop/app", one.digest) == nil)
            let afterThird = try Journal.read(journal.path)
            #expect(afterThird.dropFirst(afterSecond.count).map(\.event) == [.begin, .intent, .deleted])
            #expect(try await fixture.current("shop/app", "v3") == (try digest(keep.digest)))

            // A journal of another plan is refused before anything happens.
            let error = await #expect(throws: EvictionError.self) {
                try await executor.apply(plan, planSHA256: String(repeating: "b", count: 64), previous: afterThird)
            }
            #expect(error?.description == "\(journal.path) belongs to another plan (sha256 aaaaaaaaaaaa); give a new --journal")
            #expect(try Journal.read(journal.path).count == afterThird.count)
        }
    }

    @Test("a stop requested before the run: every action not started, nothing deleted, only the begin journaled")
    func stopBeforeStart() async throws {
        try await RegistryFixture.with { fixture in
            let one = try await fixture.push("shop/app", "v1", RegistryFixture.spec("stop-1", day: 1))
            let two = try await fixture.push("shop/web", "v2", RegistryFixture.spec("stop-2", day: 2))
            let plan = RegistryFixture.plan(
                fixture.registry,
                [try RegistryFixture.action("shop/app", one, tags: ["v1"]), try RegistryFixture.action("shop/web", two, tags: ["v2"])])
            let stop = StopRequest()
            stop.request(signal: SIGTERM)
            let journal = try Journal(path: fixture.journalPath())
            let report = try await PlanExecutor(client: fixture.client, journal: journal, stop: stop).apply(
                plan, planSHA256: Self.planSHA, previous: [])
            #expect(Self.outcomes(report) == [one.digest: .notStarted, two.digest: .notStarted])
            #expect(report.notStarted == 2)
            #expect(try await fixture.current("shop/app", "v1") == (try digest(one.digest)))
            #expect(try await fixture.current("shop/web", "v2") == (try digest(two.digest)))
            #expect(try Journal.read(journal.path).map(\.event) == [.begin])
        }
    }
}

@Suite("ApplyReport counts")
struct ApplyReportTests {
    @Test("each count covers exactly its outcomes")
    func counts() {
        let outcomes: [ApplyReport.Outcome] = [.deleted, .deleted, .deletedEarlier, .alreadyGone, .notStarted, .skipped("moved"), .failed("500")]
        let report = ApplyReport(
            entries: outcomes.enumerated().map { ApplyReport.Entry(repository: "r", digest: "d\($0.offset)", tags: [], outcome: $0.element) })
        #expect(report.deleted == 2)
        #expect(report.alreadyGone == 2)
        #expect(report.deletedEarlier == 1)
        #expect(report.notStarted == 1)
        #expect(report.skipped.map(\.digest) == ["d5"])
        #expect(report.failed.map(\.digest) == ["d6"])
    }
}
