import EvictorCore
import Eviction
import EvictorTestSupport
import Foundation
import Testing

/// `apply` killed with SIGKILL at random moments, then run again with the same plan and journal.
@Suite("apply killed and resumed")
struct CrashConsistencyTests {
    /// Set EVICTOR_CRASH_SEED to repeat a run's kill times.
    static let seed = UInt64(ProcessInfo.processInfo.environment["EVICTOR_CRASH_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)

    /// Journal events, in order.
    static func events(_ journal: String) -> [String] {
        guard let records = try? Journal.read(journal) else { return [] }
        return records.map(\.event.rawValue)
    }

    @Test("killed at random points, then resumed: the uninterrupted run's state; restore, killed as well, brings everything back")
    func killedAndResumed() async throws {
        let reference = try await FaultInjectionTests.seededRegistry()
        defer { reference.stop() }
        let registry = try await FaultInjectionTests.seededRegistry()
        defer { registry.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }

        // The uninterrupted run.
        let referencePlan = work.appendingPathComponent("reference-plan.json").path
        let madeReference = try await EvictorBinary.run(["plan", reference.url] + FaultInjectionTests.planArguments + ["-o", referencePlan])
        #expect(madeReference.status == 0, "\(madeReference.stderrText)")
        let uninterrupted = try await EvictorBinary.run(["apply", referencePlan, "--journal", work.appendingPathComponent("reference.jsonl").path])
        #expect(uninterrupted.status == 0, "\(uninterrupted.stdoutText)\(uninterrupted.stderrText)")
        let expected = try await FaultInjectionTests.listing(reference.url)

        // A fifth of the requests answered late, so one apply lasts long enough to be killed in all
        // its phases: reading tags, journaling, deleting.
        var slow = FaultPlan(rate: 0.2, faults: [.slow], seed: Self.seed)
        slow.stallSeconds = 0
        try await FaultProxy.with(upstreamPort: registry.port, plan: .none) { proxy in
            let planPath = work.appendingPathComponent("plan.json").path
            let made = try await EvictorBinary.run(["plan", proxy.url] + FaultInjectionTests.planArguments + ["-o", planPath])
            #expect(made.status == 0, "\(made.stderrText)")
            #expect(try FaultInjectionTests.actions(planPath) == FaultInjectionTests.actions(referencePlan))
            let before = try await FaultInjectionTests.listing(registry.url)
            proxy.change(to: slow)

            let journal = work.appendingPathComponent("journal.jsonl").path
            var random = SplitMix64(seed: Self.seed)
            var kills: [String] = []
            var finished: ProcessResult?
            // Each run is killed once its journal has grown by a random number of records:
            // 1 is right after its `begin` (while it reads the tags), more lands among the
            // intents and deletes. A run that finishes first ends the loop.
            let lines = { @Sendable in (try? Data(contentsOf: URL(fileURLWithPath: journal)))?.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } ?? 0 }
            for _ in 0..<40 {
                let stopAt = lines() + 1 + Int(random.next() % 24)
                let (run, killed) = try await EvictorBinary.run(["apply", planPath, "--journal", journal]) { lines() >= stopAt }
                if !killed {
                    #expect(run.status == 0, "apply exited \(run.status): \(run.stdoutText)\(run.stderrText)")
                    finished = run
                    break
                }
                let events = Self.events(journal)
                kills.append("\(events.filter { $0 == "deleted" || $0 == "gone" }.count) done, last \(events.last ?? "-")")
            }
            print("seed \(Self.seed), kills: \(kills.joined(separator: "; "))")
            let done = try #require(finished, "apply never finished in 40 runs: \(kills)")
            #expect(kills.count >= 3, "only \(kills.count) kills: \(kills)")
            #expect(done.stdoutText.contains("0 skipped, 0 failed"), "\(done.stdoutText)")

            // Every action is in the journal once as deleted or gone, each after its intent.
            let records = try Journal.read(journal)
            let finishedActions = records.filter { $0.event == .deleted || $0.event == .gone }
            #expect(Set(finishedActions.compactMap { $0.digest.map { "\($0)" } }).count == 90)
            let intents = Set(records.filter { $0.event == .intent }.compactMap { $0.digest.map { "\($0)" } })
            #expect(intents.count == 90, "every deleted manifest was journaled first")

            // The same registry as the uninterrupted run.
            proxy.change(to: .none)
            #expect(try await FaultInjectionTests.listing(registry.url) == expected)

            // restore, killed too and run again, puts back everything deleted across all the
            // runs, and it all still checks.
            proxy.change(to: slow)
            var restoreKills = 0
            for _ in 0..<2 {
                let delay = 300 + Int(random.next() % 1_200)
                let killed = try await EvictorBinary.run(["restore", "--journal", journal], timeout: .milliseconds(delay))
                if killed.status == SIGKILL { restoreKills += 1 }
            }
            print("restore kills: \(restoreKills)")
            proxy.change(to: .none)
            let restore = try await EvictorBinary.run(["restore", "--journal", journal])
            #expect(restore.status == 0, "\(restore.stdoutText)\(restore.stderrText)")
            #expect(try await FaultInjectionTests.listing(registry.url) == before)
            let (_, findings) = try await FaultInjectionTests.findings(registry.url, work)
            #expect(findings.count == 2 && findings.allSatisfy { $0.hasPrefix("damaged/app") }, "\(findings)")
        }
    }
}
