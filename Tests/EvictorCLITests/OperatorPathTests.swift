import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// What a new operator hit with docs and `--help` only: report names, resumed applies,
/// refused plans, `--explain` by digest, unknown repositories, messages, the dry-run
/// convention and the exit statuses of apply and evict. Real registry, images from skopeo.
@Suite("paths a new operator takes")
struct OperatorPathTests {
    static func digests(_ registry: RegistryServer) async throws -> [String: String] {
        let result = try await EvictorBinary.run(["ls", registry.url, "--digest"])
        #expect(result.status == 0, "\(result.stderrText)")
        var digests: [String: String] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            let parts = line.split(separator: "@")
            if parts.count == 2 { digests[String(parts[0])] = String(parts[1]) }
        }
        return digests
    }

    static func json(_ result: ProcessResult) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]) ?? [:]
    }

    @Test("three checks in the same second write three reports")
    func reportsNeverOverwritten() async throws {
        try await RegistryServer.with { registry in
            try await InUseProtectionTests.seed(registry)
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            async let first = EvictorBinary.run(["check", registry.url, "--all"], currentDirectory: work)
            async let second = EvictorBinary.run(["check", registry.url, "--all"], currentDirectory: work)
            async let third = EvictorBinary.run(["check", registry.url, "--all"], currentDirectory: work)
            let results = try await [first, second, third]
            for result in results { #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)") }
            let reports = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("reports").path)
            #expect(reports.count == 3, "\(reports)")
            for report in reports {
                #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("reports/\(report)/report.json").path))
            }
        }
    }

    @Test("apply after restore with the same journal deletes again and says so; a plain rerun says what an earlier run did")
    func resumedApplyConfirmsGone() async throws {
        try await RegistryServer.with { registry in
            try await InUseProtectionTests.seed(registry)
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let planPath = work.appendingPathComponent("plan.json").path
            let journal = work.appendingPathComponent("journal.jsonl").path
            let plan = try await EvictorBinary.run([
                "plan", registry.url, "--policy", Fixtures.url("policies/keep-last.lua").path, "--policy-option", "keep=1",
                "--max-delete-percent", "100", "-o", planPath,
            ])
            #expect(plan.status == 0, "\(plan.stdoutText)\(plan.stderrText)")
            let apply = try await EvictorBinary.run(["apply", planPath, "--journal", journal])
            #expect(apply.stdoutText.contains("deleted 3 manifests, 0 already gone"), "\(apply.stdoutText)")
            let again = try await EvictorBinary.run(["apply", planPath, "--journal", journal])
            #expect(again.status == 0)
            #expect(again.stdoutText.contains("deleted 0 manifests, 3 already gone (3 deleted by an earlier run)"), "\(again.stdoutText)")

            let restore = try await EvictorBinary.run(["restore", "--journal", journal])
            #expect(restore.status == 0, "\(restore.stdoutText)\(restore.stderrText)")
            #expect(await Skopeo.canInspect(registry, "tools/debug:v1"))
            let afterRestore = try await EvictorBinary.run(["apply", planPath, "--journal", journal])
            #expect(afterRestore.status == 0, "\(afterRestore.stdoutText)\(afterRestore.stderrText)")
            #expect(afterRestore.stdoutText.contains("deleted 3 manifests, 0 already gone"), "\(afterRestore.stdoutText)")
            #expect(await !Skopeo.canInspect(registry, "tools/debug:v1"))
        }
    }

    @Test("a refused plan still prints its summary and every --explain line; --explain takes a digest")
    func refusedPlanIsReviewable() async throws {
        try await RegistryServer.with { registry in
            try await InUseProtectionTests.seed(registry)
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let policy = try EvictionTests.writePolicy(work, "delete-all.lua", InUseProtectionTests.deleteAll)
            let digest = try #require(try await Self.digests(registry)["tools/debug:v1"])
            let refused = try await EvictorBinary.run([
                "plan", registry.url, "--policy", policy, "--explain", "shop/app:v1", "--explain", "tools/debug@\(digest)",
                "-o", work.appendingPathComponent("plan.json").path,
            ])
            InUseProtectionTests.oneLine(refused, ["refused", "limit of 50%"], "refused plan")
            #expect(refused.status == 2)
            #expect(refused.stdoutText.contains("REPOSITORY"), "\(refused.stdoutText)")
            #expect(refused.stdoutText.contains("delete 5 of 5 tags"), "\(refused.stdoutText)")
            #expect(refused.stdoutText.contains("shop/app:v1 -> DELETE"), "\(refused.stdoutText)")
            #expect(refused.stdoutText.contains("tools/debug:v1 -> DELETE"), "\(refused.stdoutText)")
            #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("plan.json").path))
        }
    }

    @Test("ls, plan and check name repositories the registry does not have, exit 2")
    func unknownRepositories() async throws {
        try await RegistryServer.with { registry in
            try await InUseProtectionTests.seed(registry)
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let policy = Fixtures.url("policies/keep-last.lua").path
            for command in [["ls", registry.url], ["plan", registry.url, "--policy", policy], ["check", registry.url]] {
                let result = try await EvictorBinary.run(command + ["-r", "nosuch/repo", "-r", "shop/app"], currentDirectory: work)
                InUseProtectionTests.oneLine(result, ["nosuch/repo", "not found"], command[0])
                #expect(result.status == 2, "\(command[0]): \(result.status)")
                #expect(!result.stderrText.contains("shop/app"), "\(result.stderrText)")
            }
            let known = try await EvictorBinary.run(["check", registry.url, "-r", "shop/app"], currentDirectory: work)
            #expect(known.status == 0, "\(known.stdoutText)\(known.stderrText)")
            #expect(known.stdoutText.contains("checked 2 tags in 1 repositories"), "\(known.stdoutText)")
        }
    }

    @Test("apply and evict: exit 3 when a tag moved, JSON summaries, the kept plan named, a used journal refused")
    func applyOutcomes() async throws {
        try await RegistryServer.with { registry in
            try await InUseProtectionTests.seed(registry)
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let keepLast = ["--policy", Fixtures.url("policies/keep-last.lua").path, "--policy-option", "keep=1", "--max-delete-percent", "100"]
            let dry = try await EvictorBinary.run(["evict", registry.url, "--output", "json"] + keepLast)
            #expect(dry.status == 0, "\(dry.stderrText)")
            #expect(Self.json(dry)["dry_run"] as? Bool == true)
            #expect((Self.json(dry)["would_delete"] as? [Any])?.count == 3, "\(dry.stdoutText)")

            let planPath = work.appendingPathComponent("plan.json").path
            let plan = try await EvictorBinary.run(["plan", registry.url, "-o", planPath] + keepLast)
            #expect(plan.status == 0, "\(plan.stderrText)")
            // shop/app:v1 moves to another image after planning: that action is skipped.
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            _ = try layout.addImage(tag: "moved", EvictionTests.image("moved", day: 9))
            try await Skopeo.push(layout: layout, tag: "moved", to: registry, repository: "shop/app", destinationTag: "v1")
            let apply = try await EvictorBinary.run(["apply", planPath, "--output", "json"])
            #expect(apply.status == 3, "\(apply.stdoutText)\(apply.stderrText)")
            let summary = Self.json(apply)
            #expect(summary["deleted"] as? Int == 2, "\(apply.stdoutText)")
            #expect(summary["exit_status"] as? Int == 3)
            let skipped = summary["skipped"] as? [[String: Any]] ?? []
            #expect(skipped.count == 1 && (skipped.first?["reason"] as? String ?? "").contains("tag v1 moved"), "\(apply.stdoutText)")

            let journal = work.appendingPathComponent("evict.jsonl").path
            let evict = try await EvictorBinary.run(["evict", registry.url, "--delete", "--journal", journal] + keepLast)
            #expect(evict.status == 0, "\(evict.stdoutText)\(evict.stderrText)")
            #expect(evict.stdoutText.contains("plan kept at \(work.appendingPathComponent("evict.plan.json").path)"), "\(evict.stdoutText)")
            let reused = try await EvictorBinary.run(["evict", registry.url, "--delete", "--journal", journal] + keepLast)
            InUseProtectionTests.oneLine(
                reused, ["already records a run", "evictor apply \(work.appendingPathComponent("evict.plan.json").path) --journal \(journal)"],
                "reused journal")
            // Two evicts in one second with the default journal name get a journal each.
            async let first = EvictorBinary.run(["evict", registry.url, "--delete"] + keepLast, currentDirectory: work)
            async let second = EvictorBinary.run(["evict", registry.url, "--delete"] + keepLast, currentDirectory: work)
            for result in try await [first, second] { #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)") }
            let journals = try FileManager.default.contentsOfDirectory(atPath: work.path).filter {
                $0.hasPrefix("evictor-journal-") && $0.hasSuffix(".jsonl")
            }
            #expect(journals.count == 2, "\(journals)")
        }
    }

    @Test("storage gc deletes only with --apply; --dry-run still works; both together is a usage error")
    func gcIsDryRunByDefault() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let root = work.appendingPathComponent("store")
        let seeder = StorageSeeder(root: root)
        _ = try seeder.image(
            repository: "team/app", tags: ["v1"], spec: TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: "gc-keep"))
        let orphan = try seeder.blob(Data("nobody needs me".utf8))
        let blob = seeder.blobPath(orphan)
        let dry = try await EvictorBinary.run(["storage", "gc", "--root", root.path])
        #expect(dry.status == 0, "\(dry.stderrText)")
        #expect(dry.stdoutText.contains("would delete blob \(orphan)"), "\(dry.stdoutText)")
        #expect(dry.stdoutText.contains("dry run: nothing deleted (add --apply)"), "\(dry.stdoutText)")
        #expect(FileManager.default.fileExists(atPath: blob.path))
        let both = try await EvictorBinary.run(["storage", "gc", "--root", root.path, "--apply", "--dry-run"])
        #expect(both.status == 64, "\(both.stderrText)")
        #expect(FileManager.default.fileExists(atPath: blob.path))
        let applied = try await EvictorBinary.run(["storage", "gc", "--root", root.path, "--apply"])
        #expect(applied.status == 0, "\(applied.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: blob.path))
        for command in [["evict"], ["apply"], ["restore"], ["storage", "fix"], ["storage", "gc"], ["storage", "rm"], ["storage", "revert"]] {
            let help = try await EvictorBinary.run(command + ["--help"])
            #expect(
                help.stdoutText.contains("--apply") || help.stdoutText.contains("--delete") || help.stdoutText.contains("Writes to the registry")
                    || help.stdoutText.contains("writes at once"), "\(command): \(help.stdoutText)")
        }
    }

    @Test("messages: inventory errors name the file's own keys; a fixer's reason is not doubled")
    func messages() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let inventory = work.appendingPathComponent("images.json").path
        try Data(#"{"format": "evictor-inventory", "version": 1, "sources": [], "images": []}"#.utf8).write(to: URL(fileURLWithPath: inventory))
        let plan = try await EvictorBinary.run([
            "plan", "http://127.0.0.1:9", "--policy", Fixtures.url("policies/keep-last.lua").path, "--inventory", inventory,
        ])
        InUseProtectionTests.oneLine(plan, [inventory, ".generated_at"], "inventory without generated_at")

        let root = work.appendingPathComponent("store")
        let seeder = StorageSeeder(root: root)
        let built = try seeder.image(
            repository: "team/app", tags: ["v1"], spec: TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: "fix-msg"))
        try FileManager.default.removeItem(at: seeder.blobPath(try #require(built.layerDigests.first)))
        let fix = try await EvictorBinary.run(["storage", "fix", "--root", root.path, "--quarantine", work.appendingPathComponent("q").path])
        #expect(fix.stdoutText.contains("cannot be pulled: missing"), "\(fix.stdoutText)")
        #expect(!fix.stdoutText.contains("cannot be pulled: cannot be pulled"), "\(fix.stdoutText)")
    }
}
