import EvictorCore
import Eviction
import EvictorTestSupport
import Foundation
import Testing

/// SIGINT and SIGTERM during the writing commands: nothing new starts, what is in flight is
/// finished and recorded, one line gives the exact command that resumes, the exit status is
/// 130 / 143, and the resumed run ends where an uninterrupted one ends.
@Suite("stopped by SIGINT or SIGTERM, then resumed", .serialized)
struct SignalTests {
    /// The command after "resume with: " on stderr, without the program name.
    static func resumeArguments(_ result: ProcessResult) -> [String]? {
        let lines = result.stderrText.split(separator: "\n").filter { $0.contains("resume with: ") }
        guard lines.count == 1, let line = lines.first, let range = line.range(of: "resume with: ") else { return nil }
        return Array(line[range.upperBound...].split(separator: " ").map(String.init).dropFirst())
    }

    static func lineCount(_ path: String) -> Int {
        (try? Data(contentsOf: URL(fileURLWithPath: path)))?.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } ?? 0
    }

    /// Every intent in the journal was followed by its outcome: nothing was left in flight.
    static func everyIntentSettled(_ journal: String) throws -> Bool {
        var open: Set<String> = []
        for record in try Journal.read(journal) {
            guard let digest = record.digest, let repository = record.repository else { continue }
            let key = "\(repository)@\(digest)"
            switch record.event {
            case .intent: open.insert(key)
            case .deleted, .gone, .failed, .skipped: open.remove(key)
            default: break
            }
        }
        return open.isEmpty
    }

    @Test(
        "apply (SIGINT), evict --delete (SIGTERM) and restore (SIGINT) stop cleanly and resume to the uninterrupted result",
        arguments: [SIGINT, SIGTERM])
    func applyEvictRestore(signal: Int32) async throws {
        let registry = try await FaultInjectionTests.seededRegistry()
        defer { registry.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let expected = try await FaultInjectionTests.uninterruptedListing(work: work)
        let before = try await FaultInjectionTests.listing(registry.url)
        let exitStatus = 128 + signal

        // Slow answers, so the run is still deleting when the signal arrives.
        let slow = FaultInjectionTests.slowAnswers
        try await FaultProxy.with(upstreamPort: registry.port, plan: .none) { proxy in
            let planPath = work.appendingPathComponent("plan.json").path
            #expect(try await EvictorBinary.run(["plan", proxy.url] + FaultInjectionTests.planArguments + ["-o", planPath]).status == 0)
            proxy.change(to: slow)

            // apply: signalled once a few deletes are journaled.
            let journal = work.appendingPathComponent("journal.jsonl").path
            let (stopped, sent) = try await EvictorBinary.run(["apply", planPath, "--journal", journal], signal: signal) {
                Self.lineCount(journal) >= 12
            }
            #expect(sent)
            #expect(stopped.status == exitStatus, "\(stopped.stdoutText)\(stopped.stderrText)")
            #expect(stopped.stdoutText.contains("not started"), "\(stopped.stdoutText)")
            print("signal \(signal), apply stopped: \(stopped.stdoutText.split(separator: "\n").first { $0.hasPrefix("deleted ") } ?? "")")
            #expect(try Self.everyIntentSettled(journal), "an intent was left without its outcome")
            let resume = try #require(Self.resumeArguments(stopped), "\(stopped.stderrText)")
            #expect(resume == ["apply", planPath, "--journal", journal])
            proxy.change(to: .none)
            let resumed = try await EvictorBinary.run(resume)
            #expect(resumed.status == 0, "\(resumed.stdoutText)\(resumed.stderrText)")
            #expect(try await FaultInjectionTests.listing(registry.url) == expected)

            // restore: signalled once some manifests are back, then run again.
            proxy.change(to: slow)
            let (restoreStopped, restoreSent) = try await EvictorBinary.run(["restore", "--journal", journal], signal: signal) {
                (try? Journal.read(journal).filter { $0.event == .restored }.count) ?? 0 >= 3
            }
            #expect(restoreSent)
            #expect(restoreStopped.status == exitStatus, "\(restoreStopped.stdoutText)\(restoreStopped.stderrText)")
            let restoreResume = try #require(Self.resumeArguments(restoreStopped), "\(restoreStopped.stderrText)")
            proxy.change(to: .none)
            let restored = try await EvictorBinary.run(restoreResume)
            #expect(restored.status == 0, "\(restored.stdoutText)\(restored.stderrText)")
            #expect(try await FaultInjectionTests.listing(registry.url) == before)

            // evict --delete: the resume line names the plan kept beside the journal.
            proxy.change(to: slow)
            let evictJournal = work.appendingPathComponent("evict.jsonl").path
            let (evictStopped, evictSent) = try await EvictorBinary.run(
                ["evict", proxy.url, "--delete", "--journal", evictJournal] + FaultInjectionTests.planArguments, signal: signal
            ) { Self.lineCount(evictJournal) >= 12 }
            #expect(evictSent)
            #expect(evictStopped.status == exitStatus, "\(evictStopped.stdoutText)\(evictStopped.stderrText)")
            #expect(try Self.everyIntentSettled(evictJournal))
            let evictResume = try #require(Self.resumeArguments(evictStopped), "\(evictStopped.stderrText)")
            #expect(evictResume == ["apply", work.appendingPathComponent("evict.plan.json").path, "--journal", evictJournal])
            proxy.change(to: .none)
            let evictResumed = try await EvictorBinary.run(evictResume)
            #expect(evictResumed.status == 0, "\(evictResumed.stdoutText)\(evictResumed.stderrText)")
            #expect(try await FaultInjectionTests.listing(registry.url) == expected)

            // A dry run traps nothing: the first signal ends it where it is.
            proxy.change(to: slow)
            let seen = proxy.requests
            let (dry, drySent) = try await EvictorBinary.run(["evict", proxy.url] + FaultInjectionTests.planArguments, signal: signal) {
                proxy.requests >= seen + 10
            }
            #expect(drySent)
            #expect(dry.status != 0 && !dry.stdoutText.contains("dry run: nothing deleted"), "\(dry.status): \(dry.stdoutText)")
            #expect(!dry.stderrText.contains("finishing what is in flight"), "\(dry.stderrText)")
        }
    }

    @Test("storage fix --apply and storage gc --apply stop between moves; the rerun finishes; revert is exact", arguments: [SIGINT, SIGTERM])
    func storageWriters(signal: Int32) async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let root = work.appendingPathComponent("store")
        let quarantine = work.appendingPathComponent("quarantine").path
        let seeder = StorageSeeder(root: root)
        _ = try seeder.image(
            repository: "big/app", tags: ["good"], spec: TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: "sig-good"))
        for number in 0..<3_000 {
            let link = seeder.repositoryPath("big/app", "_manifests/tags/broken-\(number)/current/link")
            try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(Sha256.digest(Data("missing \(number)".utf8)).utf8).write(to: link)
        }
        let damaged = try StorageRepairTests.tree(root)
        let tags = seeder.repositoryPath("big/app", "_manifests/tags").path
        let left = { @Sendable in ((try? FileManager.default.contentsOfDirectory(atPath: tags).count) ?? 0) - 1 }

        let fixArguments = ["storage", "fix", "--root", root.path, "--quarantine", quarantine, "--apply"]
        let (fix, sent) = try await EvictorBinary.run(fixArguments, signal: signal) { left() <= 2_900 }
        #expect(sent)
        #expect(fix.status == 128 + signal, "\(fix.stdoutText)\(fix.stderrText)")
        #expect(left() > 0, "the fix ran to the end despite the signal")
        print("signal \(signal), storage fix stopped with \(left()) of 3000 broken tags left")
        #expect(Self.resumeArguments(fix) == fixArguments, "\(fix.stderrText)")
        let rerun = try await EvictorBinary.run(fixArguments)
        #expect(rerun.status == 0, "\(rerun.stdoutText)\(rerun.stderrText)")
        #expect(left() == 0)
        let revert = try await EvictorBinary.run(["storage", "revert", "--root", root.path, "--quarantine", quarantine])
        #expect(revert.status == 0, "\(revert.stdoutText)\(revert.stderrText)")
        #expect(try StorageRepairTests.tree(root) == damaged)

        // gc: 4,000 blobs nobody needs; signalled once a twentieth of a sample of them is gone.
        var orphans: [URL] = []
        for number in 0..<4_000 { orphans.append(seeder.blobPath(try seeder.blob(Data("orphan \(number)".utf8)))) }
        let sample = Array(orphans.prefix(300))
        let present = { @Sendable (paths: [URL]) in paths.filter { FileManager.default.fileExists(atPath: $0.path) }.count }
        let gcArguments = ["storage", "gc", "--root", root.path, "--apply"]
        let (gc, gcSent) = try await EvictorBinary.run(gcArguments, signal: signal) { present(sample) <= 285 }
        #expect(gcSent)
        #expect(gc.status == 128 + signal, "\(gc.stdoutText)\(gc.stderrText)")
        #expect(present(orphans) > 0, "gc swept everything despite the signal")
        print("signal \(signal), storage gc stopped with \(present(orphans)) of 4000 orphan blobs left")
        #expect(Self.resumeArguments(gc) == gcArguments, "\(gc.stderrText)")
        let gcRerun = try await EvictorBinary.run(gcArguments)
        #expect(gcRerun.status == 0, "\(gcRerun.stdoutText)\(gcRerun.stderrText)")
        #expect(present(orphans) == 0)
    }

    @Test("run --delete stopped by SIGTERM: journals complete, record says stopped, exit 143; running it again ends as one run would")
    func unattendedRun() async throws {
        let registry = try await FaultInjectionTests.seededRegistry()
        defer { registry.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let expected = try await FaultInjectionTests.uninterruptedListing(work: work)

        let slow = FaultInjectionTests.slowAnswers
        try await FaultProxy.with(upstreamPort: registry.port, plan: .none) { proxy in
            let state = work.appendingPathComponent("state")
            let config = work.appendingPathComponent("evictor.yaml").path
            try """
            version: 1
            registries:
              - name: faults
                url: \(proxy.url)
                policies:
                  - policy: \(Fixtures.url("policies/keep-last.lua").path)
                    options: {keep: 4, repositories: "^team"}
            safety:
              max_delete_percent: 80
            state:
              directory: \(state.path)
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let journals = state.appendingPathComponent("journals")
            proxy.change(to: slow)
            let (stopped, sent) = try await EvictorBinary.run(["run", "--config", config, "--delete"], signal: SIGTERM) {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: journals.path)) ?? []
                return names.filter { $0.hasSuffix(".jsonl") }.contains { Self.lineCount(journals.appendingPathComponent($0).path) >= 12 }
            }
            #expect(sent)
            #expect(stopped.status == 143, "\(stopped.stdoutText)\(stopped.stderrText)")
            let resume = try #require(Self.resumeArguments(stopped), "\(stopped.stderrText)")
            #expect(resume == ["run", "--config", config, "--delete"])
            let journal = try #require(try FileManager.default.contentsOfDirectory(atPath: journals.path).first { $0.hasSuffix(".jsonl") })
            #expect(try Self.everyIntentSettled(journals.appendingPathComponent(journal).path))
            let records = try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("runs").path)
            let recordName = try #require(records.first)
            let record = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: state.appendingPathComponent("runs/\(recordName)"))) as? [String: Any])
            #expect(record["outcome"] as? String == "stopped")
            #expect(record["exit_code"] as? Int == 143)

            proxy.change(to: .none)
            // damaged/app has a missing layer and a corrupt manifest: the check's problems give 4.
            let again = try await EvictorBinary.run(resume)
            #expect(again.status == 4, "\(again.stdoutText)\(again.stderrText)")
            #expect(try await FaultInjectionTests.listing(registry.url) == expected)
        }
    }
}
