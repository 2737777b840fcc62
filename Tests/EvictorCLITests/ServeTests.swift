import EvictorCore
import Eviction
import EvictorTestSupport
import Foundation
import Testing

/// `evictor serve` as a process against a real registry: scheduled jobs, Prometheus metrics
/// equal to `count` and `check`, the nagios endpoint, the token, history across a restart, the
/// job API, and SIGTERM during a scheduled delete.
@Suite("evictor serve", .serialized)
struct ServeTests {
    static let token = "serve-\(UUID().uuidString.prefix(8))-token"

    /// Writes a config with registry `main` at `url`, `schedules` as given, a state directory in `work`.
    static func writeConfig(in work: URL, url: String, schedules: String, policies: String = "", extra: String = "") throws -> String {
        let config = work.appendingPathComponent("evictor.yaml").path
        try """
        version: 1
        registries:
          - name: main
            url: \(url)
            concurrency: 4
        \(policies)
        safety:
          max_delete_percent: 100
        state:
          directory: \(work.path)/state
        schedules:
        \(schedules)
        serve:
          token: ${SERVE_TOKEN}
        \(extra)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    /// Polls `condition` every 100 ms for up to `seconds`.
    static func eventually(_ seconds: Double = 60, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The runs the API lists.
    static func runs(_ serve: ServeProcess, token: String = ServeTests.token) async throws -> [[String: Any]] {
        let answer = try await serve.request("/api/v1/runs", token: token)
        return (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [[String: Any]]) ?? []
    }

    /// The metrics as `prometheus_client`'s parser reads them: `name{labels}` -> value.
    static func parsedMetrics(_ text: String) async throws -> [String: Double] {
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(sys.stdin.read()):
                for sample in family.samples:
                    labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
                    print(f"{sample.name}{{{labels}}} {sample.value}")
            """
        let result = try await ProcessRunner.run("python3", ["-c", script], input: Data(text.utf8), timeout: .seconds(30))
        #expect(result.status == 0, "prometheus_client could not parse /metrics: \(result.stderrText)")
        var values: [String: Double] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    @Test("scheduled checks: metrics parse and equal count and check; nagios turns 503 naming the tag; token; history survives a restart")
    func monitoring() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-serve-\(UUID().uuidString)")
        let seeder = StorageSeeder(root: root)
        let base = Date(timeIntervalSince1970: 1_700_000_000)
        var broken: BuiltManifest?
        for repository in ["shop/app", "shop/web", "tools/cli"] {
            for tag in 1...3 {
                let image = try seeder.image(
                    repository: repository, tags: ["v\(tag)"],
                    spec: TestImageSpec(created: base.addingTimeInterval(Double(tag) * 86_400), layerSeed: "\(repository)-\(tag)"))
                if repository == "shop/web", tag == 2 { broken = image }
            }
        }
        var options = RegistryOptions()
        options.storageRoot = root
        let registry = try await RegistryServer.start(options)
        defer { registry.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let config = try Self.writeConfig(
            in: work, url: registry.url, schedules: "  - {job: check, every: 2s}", policies: "    storage: {root: \(root.path)}")
        let environment = ["SERVE_TOKEN": Self.token]
        let serve = try await ServeProcess.start(
            arguments: ["serve", "--config", config, "--listen", "127.0.0.1:0"], environment: environment)

        #expect(try await serve.request("/healthz").status == 200)
        #expect(try await serve.request("/_health").status == 200)
        #expect(try await serve.request("/readyz").status == 200)
        for path in ["/metrics", "/_nagios_check_registry", "/_report.json", "/api/v1/runs", "/"] {
            #expect(try await serve.request(path).status == 401, "\(path) without the token")
            #expect(try await serve.request(path, token: "wrong").status == 401, "\(path) with a wrong token")
        }
        #expect(try await Self.eventually { try await Self.runs(serve).contains { $0["job"] as? String == "check" } })
        // A browser's Basic auth: any user name, the token as the password.
        for (credentials, status) in [("ops:\(Self.token)", "200"), ("ops:wrong", "401")] {
            let basic = try await ProcessRunner.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", credentials, serve.url + "/"])
            #expect(basic.stdoutText == status, "\(credentials.prefix(4)): \(basic.stdoutText)")
        }
        let challenge = try await serve.request("/")
        #expect(challenge.status == 401 && challenge.headers["www-authenticate"]?.contains("Basic realm") == true, "\(challenge.headers)")

        // /metrics against `evictor count` and `evictor check --all`.
        let metrics = try await Self.parsedMetrics(try await serve.request("/metrics", token: Self.token).body)
        let count = try await EvictorBinary.run(["count", registry.url, "--manifests", "--output", "json"])
        let counted = try #require(try JSONSerialization.jsonObject(with: count.stdout) as? [String: Any])
        #expect(metrics["evictor_repositories{registry=\"main\"}"] == (counted["repositories"] as? Double))
        #expect(metrics["evictor_tags{registry=\"main\"}"] == (counted["tags"] as? Double))
        #expect(metrics["evictor_manifests{registry=\"main\"}"] == (counted["manifests"] as? Double))
        #expect(metrics["evictor_tags_checked{registry=\"main\"}"] == 9)
        #expect((metrics["evictor_bytes{registry=\"main\"}"] ?? 0) > 0)
        #expect(metrics["evictor_problems{class=\"blob-missing\",registry=\"main\"}"] == 0)
        #expect((metrics["evictor_runs_total{outcome=\"clean\",task=\"check\"}"] ?? 0) >= 1)
        #expect((metrics["evictor_registry_requests_total{registry=\"main\"}"] ?? 0) > 0)
        #expect(metrics.keys.contains { $0.hasPrefix("evictor_last_success_timestamp_seconds") })
        let healthy = try await serve.request("/_nagios_check_registry", token: Self.token)
        #expect(healthy.status == 200 && healthy.body.hasPrefix("OK"), "\(healthy.body)")

        // A layer removed on disk: the next scheduled check finds it; nagios says which tag.
        let layer = try #require(broken?.layerDigests.first)
        try FileManager.default.removeItem(at: seeder.blobPath(layer).deletingLastPathComponent())
        #expect(
            try await Self.eventually {
                try await serve.request("/_nagios_check_registry", token: Self.token).status == 503
            })
        let critical = try await serve.request("/_nagios_check_registry", token: Self.token)
        #expect(critical.body.hasPrefix("CRITICAL") && critical.body.contains("shop/web:v2"), "\(critical.body)")
        let check = try await EvictorBinary.run(["check", registry.url, "--all", "--report-dir", work.appendingPathComponent("r").path])
        #expect(check.status == 1)
        let after = try await Self.parsedMetrics(try await serve.request("/metrics", token: Self.token).body)
        #expect(after["evictor_problems{class=\"blob-missing\",registry=\"main\"}"] == 1)
        // A storage scan on demand sees the missing blob on disk too.
        // (409 while a scheduled check holds the registry: asked again until it starts.)
        #expect(
            try await Self.eventually {
                try await serve.request("/api/v1/registries/main/jobs/storage-scan", method: "POST", token: Self.token).status == 202
            })
        #expect(
            try await Self.eventually {
                try await Self.runs(serve).contains { $0["job"] as? String == "storage-scan" && $0["outcome"] as? String == "problems_found" }
            })
        let csv = try await serve.request("/_report.csv", token: Self.token)
        #expect(csv.status == 200 && csv.body.contains("shop/web") && csv.body.contains("blob-missing"), "\(csv.body)")

        // The JSON endpoints: each answers valid JSON that says what the last check found.
        func json(_ path: String) async throws -> Any? {
            let answer = try await serve.request(path, token: Self.token)
            #expect(answer.status == 200, "\(path): \(answer.status) \(answer.body)")
            return try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))
        }
        for path in ["/_report.json", "/api/v1/registries/main/report"] {
            let report = try await json(path) as? [String: Any]
            let findings = report?["findings"] as? [[String: Any]] ?? []
            #expect(
                findings.contains { $0["repository"] as? String == "shop/web" && $0["tag"] as? String == "v2" },
                "\(path): \(String(describing: report))")
        }
        let registries = try await json("/api/v1/registries")
        #expect("\(registries ?? "")".contains("main"), "\(String(describing: registries))")
        let perRegistry = try await json("/api/v1/registries/main/runs") as? [[String: Any]] ?? []
        #expect(!perRegistry.isEmpty)
        let runID = try #require(try await Self.runs(serve).first?["id"] as? String)
        let run = try await json("/api/v1/runs/\(runID)") as? [String: Any]
        #expect(run?["id"] as? String == runID, "\(String(describing: run))")
        #expect(try await serve.request("/api/v1/runs/no-such-run", token: Self.token).status == 404)
        // No plan and no inventory has run here yet: 404 with a line saying so.
        #expect(try await serve.request("/api/v1/registries/main/plan", token: Self.token).status == 404)
        for path in ["/_images.json", "/api/v1/inventory"] {
            let none = try await serve.request(path, token: Self.token)
            #expect(none.status == 404 && none.body.contains("no inventory"), "\(path): \(none.status) \(none.body)")
        }

        // A second serve on the same state directory is refused.
        let second = try await EvictorBinary.run(["serve", "--config", config, "--listen", "127.0.0.1:0"], environment: environment)
        #expect(second.status == 2)
        #expect(second.stderrText.contains("in use"), "\(second.stderrText)")

        // SIGTERM ends it cleanly; the history survives a restart.
        let before = try await Self.runs(serve).map { $0["id"] as? String ?? "" }
        #expect(await serve.stop() == 0, "\(serve.stderrText)")
        let again = try await ServeProcess.start(
            arguments: ["serve", "--config", config, "--listen", "127.0.0.1:0"], environment: environment)
        let kept = try await Self.runs(again).map { $0["id"] as? String ?? "" }
        #expect(Set(before).isSubset(of: Set(kept)), "\(before) \(kept)")
        #expect(await again.stop() == 0)
        _ = await serve.stop()
        #expect(!serve.stderrText.contains(Self.token) && !again.stderrText.contains(Self.token))
    }

    @Test("SIGTERM during a scheduled delete: in-flight deletes finish and are journaled, the journal resumes; the job API")
    func stopDuringScheduledDelete() async throws {
        let registry = try await FaultInjectionTests.seededRegistry()
        defer { registry.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let expected = try await FaultInjectionTests.uninterruptedListing(work: work)

        let slow = FaultInjectionTests.slowAnswers
        try await FaultProxy.with(upstreamPort: registry.port, plan: slow) { proxy in
            let policy = Fixtures.url("policies/keep-last.lua").path
            let config = try Self.writeConfig(
                in: work, url: proxy.url, schedules: "  - {job: run, registry: main, every: 1h, delete: true}",
                policies:
                    "    policies:\n      - policy: \(policy)\n        options: {keep: 4, repositories: \"^team\"}"
                    + "\n  - name: other\n    url: http://127.0.0.1:9"
            )
            let serve = try await ServeProcess.start(
                arguments: ["serve", "--config", config, "--listen", "127.0.0.1:0"], environment: ["SERVE_TOKEN": Self.token])
            let journals = work.appendingPathComponent("state/journals")
            func journal() -> String? {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: journals.path)) ?? []
                return names.first { $0.hasSuffix(".jsonl") }.map { journals.appendingPathComponent($0).path }
            }
            #expect(try await Self.eventually { journal().map { SignalTests.lineCount($0) >= 12 } ?? false })

            // The job API while the run holds the registry: busy is 409 (skipped, not stacked).
            let busy = try await serve.request("/api/v1/registries/main/jobs/plan", method: "POST", token: Self.token)
            #expect(busy.status == 409, "\(busy.body)")
            let forbidden = try await serve.request("/api/v1/registries/other/jobs/run?delete=true", method: "POST", token: Self.token)
            #expect(forbidden.status == 403, "\(forbidden.body)")
            #expect(try await serve.request("/api/v1/registries/nosuch/jobs/check", method: "POST", token: Self.token).status == 404)
            #expect(try await serve.request("/api/v1/registries/main/jobs/dance", method: "POST", token: Self.token).status == 404)
            #expect(try await serve.request("/api/v1/registries/main/jobs/check", method: "POST").status == 401)
            let metrics = try await Self.parsedMetrics(try await serve.request("/metrics", token: Self.token).body)
            #expect(metrics["evictor_jobs_skipped_total{registry=\"main\",task=\"plan\"}"] == 1)

            #expect(await serve.stop(signal: SIGTERM) == 0, "\(serve.stderrText)")
            let journalPath = try #require(journal())
            #expect(try SignalTests.everyIntentSettled(journalPath))
            let records = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("state/runs").path)
            let recordName = try #require(records.first)
            let record = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("state/runs/\(recordName)"))) as? [String: Any])
            #expect(record["outcome"] as? String == "stopped", "\(record)")

            // Resumed by apply with the plan kept beside the journal: the uninterrupted result.
            proxy.change(to: .none)
            let planPath = String(journalPath.dropLast(".jsonl".count)) + ".plan.json"
            let resumed = try await EvictorBinary.run(["apply", planPath, "--journal", journalPath])
            #expect(resumed.status == 0, "\(resumed.stdoutText)\(resumed.stderrText)")
            #expect(try await FaultInjectionTests.listing(registry.url) == expected)

            // The stopped run is in the history (a new serve reads it).
            let again = try await ServeProcess.start(
                arguments: ["serve", "--config", config, "--listen", "127.0.0.1:0"],
                environment: ["SERVE_TOKEN": Self.token])
            let runs = try await Self.runs(again)
            #expect(runs.contains { $0["outcome"] as? String == "stopped" && $0["job"] as? String == "run" }, "\(runs)")
            _ = await again.stop()
        }
    }
}
