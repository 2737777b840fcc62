import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// count, check, plan and apply through `FaultProxy` in front of a real registry: with a share
/// of requests spoiled they give the clean run's results; faults that persist are reported.
@Suite("faults between evictor and the registry")
struct FaultInjectionTests {
    /// 10 repositories of 12 tags, plus one with a missing layer and one with a corrupt manifest.
    static func seed(_ root: URL) throws {
        let seeder = StorageSeeder(root: root)
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        for repo in 1...10 {
            for tag in 1...12 {
                let spec = TestImageSpec(created: base.addingTimeInterval(Double(tag) * 86_400), layerSeed: "r\(repo)-t\(tag)")
                // v11 and v12 share one image, as a rebuilt "latest" often does.
                let tags = tag == 12 ? ["v12", "latest"] : ["v\(tag)"]
                try seeder.image(repository: "team\(repo)/app", tags: tags, spec: spec)
            }
        }
        try seeder.image(repository: "damaged/app", tags: ["ok"], spec: TestImageSpec(created: base, layerSeed: "damaged-ok"))
        let layerless = try seeder.image(repository: "damaged/app", tags: ["no-layer"], spec: TestImageSpec(created: base, layerSeed: "damaged-layer"))
        try FileManager.default.removeItem(at: seeder.blobPath(layerless.layerDigests[0]).deletingLastPathComponent())
        let corrupt = try seeder.image(repository: "damaged/app", tags: ["corrupt"], spec: TestImageSpec(created: base, layerSeed: "damaged-corrupt"))
        try Data("{\"schemaVersion\": 2, \"config\": ".utf8).write(to: seeder.blobPath(corrupt.digest))
    }

    /// A registry on a store seeded by `seed`.
    static func seededRegistry() async throws -> RegistryServer {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-faults-\(UUID().uuidString)")
        try seed(root)
        var options = RegistryOptions()
        options.storageRoot = root
        return try await RegistryServer.start(options)
    }

    /// `count --by-repo --output json` without the registry's address, keys sorted.
    static func counts(_ url: String, extra: [String] = []) async throws -> (ProcessResult, String) {
        let result = try await EvictorBinary.run(["count", url, "--by-repo", "--output", "json"] + extra)
        var object = (try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]) ?? [:]
        object["registry"] = nil
        let canonical = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return (result, String(decoding: canonical, as: UTF8.self))
    }

    /// What `check --all` found: (repository, tag, digest, problem) per finding.
    static func findings(_ url: String, _ work: URL, extra: [String] = []) async throws -> (ProcessResult, Set<String>) {
        let directory = work.appendingPathComponent("report-\(UUID().uuidString)").path
        let result = try await EvictorBinary.run(["check", url, "--all", "--report-dir", directory] + extra)
        let data = (try? Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))) ?? Data()
        let report = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        return (result, Set(findings.map { "\($0["repository"] ?? "") \($0["tag"] ?? "") \($0["digest"] ?? "-") \($0["problem"] ?? "")" }))
    }

    /// Every `repository:tag` that `ls` lists.
    static func listing(_ url: String) async throws -> [String] {
        let result = try await EvictorBinary.run(["ls", url])
        #expect(result.status == 0, "\(result.stderrText)")
        return result.stdoutText.split(separator: "\n").map(String.init).sorted()
    }

    /// The plan's actions as "repository@digest tags".
    static func actions(_ planPath: String) throws -> Set<String> {
        let plan = try PlanFile.read(planPath)
        return Set(plan.actions.map { "\($0.repository)@\($0.digest) \($0.tags.sorted().joined(separator: ","))" })
    }

    static let planArguments = [
        "--policy", Fixtures.url("policies/keep-last.lua").path, "--policy-option", "keep=4",
        "--policy-option", "repositories=^team", "--max-delete-percent", "80",
    ]
    /// Requests give up after 2 s, so a stalled answer (3 s) is a timeout that is retried.
    static let faultedArguments = ["--timeout", "2"]

    @Test("with 10% of requests faulted, count, check, plan and apply give the clean run's results")
    func tenPercentFaulted() async throws {
        let clean = try await Self.seededRegistry()
        defer { clean.stop() }
        let faulted = try await Self.seededRegistry()
        defer { faulted.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        var plan = FaultPlan(rate: 0.10, seed: 20_261_122)
        plan.wrongDigestOnHead = false
        try await FaultProxy.with(upstreamPort: faulted.port, plan: plan) { proxy in
            // count: HEAD digests cannot be verified by anyone, so no wrong HEAD digests here.
            let (cleanCount, expectedCounts) = try await Self.counts(clean.url)
            #expect(cleanCount.status == 0, "\(cleanCount.stderrText)")
            #expect(expectedCounts.contains(#""tags":133"#) && expectedCounts.contains(#""unresolved_tags":1"#), "\(expectedCounts)")
            let (faultedCount, counts) = try await Self.counts(proxy.url, extra: Self.faultedArguments)
            #expect(faultedCount.status == 0, "\(faultedCount.stderrText)")
            #expect(counts == expectedCounts)
            let afterCount = proxy.injectedTotal

            // check: the missing layer and the corrupt manifest, nothing more, nothing less.
            let (cleanCheck, expectedFindings) = try await Self.findings(clean.url, work)
            #expect(cleanCheck.status == 1)
            #expect(expectedFindings.count == 2, "\(expectedFindings)")
            let (faultedCheck, findings) = try await Self.findings(proxy.url, work, extra: Self.faultedArguments)
            #expect(faultedCheck.status == 1, "\(faultedCheck.stderrText)")
            #expect(findings == expectedFindings, "\(faultedCheck.stdoutText)")
            let afterCheck = proxy.injectedTotal

            // plan and apply; from here on a HEAD may carry a wrong digest too (apply confirms
            // a tag that seems to have moved with a GET, whose body is hashed).
            var withHeads = plan
            withHeads.wrongDigestOnHead = true
            withHeads.seed += 1
            proxy.change(to: withHeads)
            let cleanPlan = work.appendingPathComponent("clean-plan.json").path
            let madeClean = try await EvictorBinary.run(["plan", clean.url] + Self.planArguments + ["-o", cleanPlan])
            #expect(madeClean.status == 0, "\(madeClean.stderrText)")
            let faultedPlan = work.appendingPathComponent("faulted-plan.json").path
            let madeFaulted = try await EvictorBinary.run(["plan", proxy.url] + Self.planArguments + Self.faultedArguments + ["-o", faultedPlan])
            #expect(madeFaulted.status == 0, "\(madeFaulted.stderrText)")
            let planned = try Self.actions(cleanPlan)
            // keep=4 of 13 tags (12 images) per repository: 9 images to delete in each of 10.
            #expect(planned.count == 90, "\(planned.count)")
            #expect(try Self.actions(faultedPlan) == planned)

            let cleanApply = try await EvictorBinary.run(["apply", cleanPlan, "--journal", work.appendingPathComponent("clean.jsonl").path])
            #expect(cleanApply.status == 0, "\(cleanApply.stdoutText)\(cleanApply.stderrText)")
            let journal = work.appendingPathComponent("faulted.jsonl").path
            let faultedApply = try await EvictorBinary.run(["apply", faultedPlan, "--journal", journal] + Self.faultedArguments)
            #expect(faultedApply.status == 0, "\(faultedApply.stdoutText)\(faultedApply.stderrText)")
            #expect(faultedApply.stdoutText.contains("0 skipped, 0 failed"), "\(faultedApply.stdoutText)")
            // Deleted or found gone (a DELETE whose answer was lost, then retried): all 90.
            let outcome = try #require(faultedApply.stdoutText.split(separator: "\n").last { $0.hasPrefix("deleted ") })
            let numbers = outcome.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            #expect(numbers.count >= 2 && numbers[0] + numbers[1] == 90, "\(outcome)")

            // The same registry state as the clean run, and still the same health.
            let expectedListing = try await Self.listing(clean.url)
            #expect(expectedListing.count == 133 - 90)
            #expect(try await Self.listing(faulted.url) == expectedListing)
            let (_, cleanAfter) = try await Self.findings(clean.url, work)
            let (_, faultedAfter) = try await Self.findings(faulted.url, work)
            #expect(faultedAfter == cleanAfter && cleanAfter == expectedFindings)

            let injected = proxy.injected
            print("fault proxy: \(proxy.summary); count \(afterCount), check \(afterCheck - afterCount), plan+apply \(proxy.injectedTotal - afterCheck)")
            for fault in InjectedFault.allCases {
                #expect((injected[fault] ?? 0) > 0, "no \(fault.rawValue) fault was injected: \(proxy.summary)")
            }
            #expect(Double(proxy.injectedTotal) >= 0.07 * Double(proxy.requests), "\(proxy.summary)")
        }
    }
}

/// Faults that do not go away: each spoiled request is tried a bounded number of times, then
/// reported; the rest of the run goes on; nothing that was not deleted is lost.
@Suite("faults that persist")
struct PersistentFaultTests {
    /// Attempts per request (RegistryClientConfiguration.maxAttempts).
    static let attempts = 5

    @Test("a repository answering 502 or 429, a stalled tag and a dropping tag are reported after 5 attempts each")
    func persistentFaults() async throws {
        let registry = try await FaultInjectionTests.seededRegistry()
        defer { registry.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let stalled = "GET /v2/team5/app/manifests/v3", dropped = "/v2/team6/app/manifests/v2"
        let wrongHead = "HEAD /v2/team1/app/manifests/v1", lostDeletes = "DELETE /v2/team7/app/manifests/"
        var faults = FaultPlan.none
        faults.persistent = [
            "/v2/team3/app/manifests/": .badGateway, "/v2/team4/app/manifests/": .rateLimited,
            stalled: .stall, dropped: .dropBeforeForwarding, wrongHead: .wrongDigest, lostDeletes: .stall,
        ]
        faults.wrongDigestOnHead = true
        faults.stallSeconds = 2
        let arguments = ["--timeout", "1"]
        try await FaultProxy.with(upstreamPort: registry.port, plan: .none) { proxy in
            // The plan is made through the proxy while it is clean, so the plan names it.
            let planPath = work.appendingPathComponent("plan.json").path
            let made = try await EvictorBinary.run(["plan", proxy.url] + FaultInjectionTests.planArguments + ["-o", planPath])
            #expect(made.status == 0, "\(made.stderrText)")
            let before = try await FaultInjectionTests.listing(registry.url)
            proxy.change(to: faults)

            // count stops at the first lasting failure with one line naming it.
            let count = try await EvictorBinary.run(["count", proxy.url] + arguments)
            #expect(count.status != 0)
            let countError = count.stderrText.split(separator: "\n").filter { !$0.contains("warning") }
            #expect(countError.count == 1 && countError[0].contains("\(Self.attempts) attempts"), "\(count.stderrText)")

            // check reports every spoiled tag and finds the rest healthy.
            let (check, findings) = try await FaultInjectionTests.findings(proxy.url, work, extra: arguments)
            #expect(check.status == 1, "\(check.stderrText)")
            let broken = findings.filter { $0.hasPrefix("team") }
            let expectedBroken = 13 + 13 + 1 + 1
            #expect(broken.count == expectedBroken, "\(broken.sorted())")
            #expect(broken.allSatisfy { $0.hasSuffix("server-error") }, "\(broken.sorted())")
            #expect(check.stdoutText.contains("\(133 - expectedBroken - 2) healthy"), "\(check.stdoutText)")
            #expect(proxy.hits(stalled) == Self.attempts && proxy.hits(dropped) == Self.attempts, "\(proxy.hits(stalled)) \(proxy.hits(dropped))")

            // apply deletes what it can and reports the rest. A repository with a tag it cannot
            // read is left alone entirely: that tag might point at a digest the plan deletes.
            let journal = work.appendingPathComponent("journal.jsonl").path
            let apply = try await EvictorBinary.run(["apply", planPath, "--journal", journal] + arguments)
            #expect(apply.status == 1, "\(apply.stdoutText)\(apply.stderrText)")
            let failed = apply.stdoutText.split(separator: "\n").filter { $0.hasPrefix("failed\t") }
            let byRepository = Dictionary(grouping: failed) { $0.split(separator: "\t")[1].split(separator: "@")[0] }
            // team5's stalled tag (v3) cannot be read either, so team5 waits too.
            #expect(byRepository.mapValues(\.count) == ["team3/app": 9, "team4/app": 9, "team5/app": 9, "team6/app": 9, "team7/app": 9], "\(apply.stdoutText)")
            #expect(byRepository["team5/app", default: []].allSatisfy { $0.contains("team5/app:v3: timed out after \(Self.attempts) attempts") })
            #expect(byRepository["team3/app", default: []].allSatisfy { $0.contains("cannot list tags") && $0.contains("HTTP 502 after \(Self.attempts) attempts") })
            #expect(byRepository["team4/app", default: []].allSatisfy { $0.contains("HTTP 429 after \(Self.attempts) attempts") })
            #expect(byRepository["team6/app", default: []].allSatisfy { $0.contains("connection closed by the server (\(Self.attempts) attempts)") })
            // team7's DELETEs reached the registry but every answer was lost: failed, as far as
            // apply can tell; the journal holds each manifest, and the rerun finds them gone.
            #expect(byRepository["team7/app", default: []].allSatisfy { $0.contains("timed out after \(Self.attempts) attempts") })
            #expect(apply.stdoutText.contains("deleted 45 manifests, 0 already gone, 0 skipped, 45 failed"), "\(apply.stdoutText)")
            // team1:v1's HEAD always carried a wrong digest; the GET behind it showed the tag had not moved.
            #expect(proxy.hits(wrongHead) >= 1)
            let between = try await FaultInjectionTests.listing(registry.url)
            #expect(!between.contains("team1/app:v1"))
            for repository in ["team3/app", "team4/app", "team5/app", "team6/app"] {
                #expect(between.filter { $0.hasPrefix(repository + ":") } == before.filter { $0.hasPrefix(repository + ":") })
            }

            // Once the faults are gone, the same plan and journal finish the work.
            proxy.change(to: .none)
            let resumed = try await EvictorBinary.run(["apply", planPath, "--journal", journal])
            #expect(resumed.status == 0, "\(resumed.stdoutText)\(resumed.stderrText)")
            #expect(resumed.stdoutText.contains("deleted 36 manifests, 54 already gone, 0 skipped, 0 failed"), "\(resumed.stdoutText)")
            #expect(try await FaultInjectionTests.listing(registry.url).count == 133 - 90)
        }
    }
}

extension PersistentFaultTests {
    @Test("an answer dripped a byte at a time is cut off by the timeout like a stalled one")
    func drippedAnswer() async throws {
        let registry = try await FaultInjectionTests.seededRegistry()
        defer { registry.stop() }
        var faults = FaultPlan.none
        faults.persistent = ["GET /v2/_catalog": .trickle]
        try await FaultProxy.with(upstreamPort: registry.port, plan: faults) { proxy in
            let started = ContinuousClock.now
            let result = try await EvictorBinary.run(["ls", proxy.url, "--timeout", "1"], timeout: .seconds(100))
            let elapsed = ContinuousClock.now - started
            #expect(result.status != 0)
            #expect(result.stderrText.contains("catalog: timed out after \(Self.attempts) attempts"), "\(result.stderrText)")
            #expect(proxy.hits("GET /v2/_catalog") == Self.attempts)
            print("dripped catalog: gave up after \(elapsed)")
        }
    }
}

extension PersistentFaultTests {
    @Test("a tag pushed onto a planned digest after planning is seen even when its HEAD lies; the action is skipped")
    func lyingHeadCannotHideATag() async throws {
        let registry = try await FaultInjectionTests.seededRegistry()
        defer { registry.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try await FaultProxy.with(upstreamPort: registry.port, plan: .none) { proxy in
            let planPath = work.appendingPathComponent("plan.json").path
            let made = try await EvictorBinary.run(["plan", proxy.url] + FaultInjectionTests.planArguments + ["-r", "team2/app", "-o", planPath])
            #expect(made.status == 0, "\(made.stderrText)")
            let target = try #require(try PlanFile.read(planPath).actions.first { $0.tags == ["v1"] })
            // After planning, someone tags the planned image "hotfix"...
            try await ProcessRunner.check("skopeo", [
                "--insecure-policy", "copy", "--preserve-digests", "--src-tls-verify=false", "--dest-tls-verify=false",
                "docker://\(registry.hostPort)/team2/app@\(target.digest)", "docker://\(registry.hostPort)/team2/app:hotfix",
            ])
            // ...and every HEAD of it answers with another digest.
            var lying = FaultPlan.none
            lying.persistent = ["HEAD /v2/team2/app/manifests/hotfix": .wrongDigest]
            lying.wrongDigestOnHead = true
            proxy.change(to: lying)
            let apply = try await EvictorBinary.run(["apply", planPath, "--journal", work.appendingPathComponent("j.jsonl").path])
            #expect(apply.status == 0, "\(apply.stdoutText)\(apply.stderrText)")
            #expect(apply.stdoutText.contains("tag hotfix, not in the plan, now points at"), "\(apply.stdoutText)")
            let listing = try await FaultInjectionTests.listing(registry.url)
            #expect(listing.contains("team2/app:hotfix") && listing.contains("team2/app:v1"))
        }
    }
}
