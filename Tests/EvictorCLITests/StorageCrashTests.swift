import EvictorTestSupport
import Foundation
import Testing

/// `storage fix --apply` killed with SIGKILL at random moments, then run again.
@Suite("storage fix killed and resumed")
struct StorageCrashTests {
    @Test("killed at random points, run again until done: the damage is gone; revert restores the exact damaged tree")
    func killedFix() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let root = work.appendingPathComponent("store")
        let quarantine = work.appendingPathComponent("quarantine").path
        let seeder = StorageSeeder(root: root)
        try seeder.image(
            repository: "big/app", tags: ["good"], spec: TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: "fix-good"))
        // 3,000 tags whose revision does not exist: each one a move (journaled with fsync) for
        // the broken-tags fixer, so one run lasts long enough to be killed in the middle.
        for number in 0..<3_000 {
            let link = seeder.repositoryPath("big/app", "_manifests/tags/broken-\(number)/current/link")
            try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(Sha256.digest(Data("missing \(number)".utf8)).utf8).write(to: link)
        }
        let damaged = try StorageRepairTests.tree(root)

        // Each run is killed once it has made a random number of moves (1-600), so every kill
        // lands among the moves; a run that finishes first ends the loop.
        var random = SplitMix64(seed: CrashConsistencyTests.seed)
        let tags = seeder.repositoryPath("big/app", "_manifests/tags").path
        let left = { @Sendable in ((try? FileManager.default.contentsOfDirectory(atPath: tags).count) ?? 0) - 1 }
        var kills: [String] = []
        var finished = false
        for _ in 0..<40 {
            let before = left()
            let stopAt = before - 1 - Int(random.next() % 600)
            let (fix, killed) = try await EvictorBinary.run(["storage", "fix", "--root", root.path, "--quarantine", quarantine, "--apply"]) {
                left() <= stopAt
            }
            if !killed {
                #expect(fix.status == 0, "storage fix exited \(fix.status): \(fix.stdoutText)\(fix.stderrText)")
                finished = true
                break
            }
            kills.append("\(before - left()) moved, \(left()) broken tags left")
        }
        print("seed \(CrashConsistencyTests.seed), storage fix kills: \(kills.joined(separator: "; "))")
        #expect(finished, "storage fix never finished: \(kills)")
        #expect(kills.count >= 3, "only \(kills.count) kills: \(kills)")

        // Nothing broken is left, the healthy tag is still there.
        let scan = try await EvictorBinary.run(["storage", "scan", "--root", root.path, "--report-dir", work.appendingPathComponent("report").path])
        #expect(scan.status == 0, "\(scan.stdoutText)\(scan.stderrText)")
        #expect(FileManager.default.fileExists(atPath: seeder.repositoryPath("big/app", "_manifests/tags/good/current/link").path))

        // Revert puts back every move of every session, including those of killed runs.
        let revert = try await EvictorBinary.run(["storage", "revert", "--root", root.path, "--quarantine", quarantine])
        #expect(revert.status == 0, "\(revert.stdoutText)\(revert.stderrText)")
        #expect(try StorageRepairTests.tree(root) == damaged)
    }
}
