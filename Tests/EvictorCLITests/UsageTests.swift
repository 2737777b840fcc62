import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// Pull history: Distribution's notifications into `serve`, the access-log import, and the
/// `pulled-within` policy, against a real registry pulled by skopeo and curl.
@Suite("pull history", .serialized)
struct UsageTests {
    static let token = "usage-\(UUID().uuidString.prefix(8))"
    static let serveToken = "serve-\(UUID().uuidString.prefix(8))"

    /// Manifests of the usage API: "repository@digest" -> (pull count, last pulled).
    static func usage(_ serve: ServeProcess) async throws -> [String: (Int, String?)] {
        let answer = try await serve.request("/api/v1/registries/main/usage", token: serveToken)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any], "\(answer.body)")
        var rows: [String: (Int, String?)] = [:]
        for row in object["manifests"] as? [[String: Any]] ?? [] {
            rows["\(row["repository"] ?? "")@\(row["digest"] ?? "")"] = (row["pull_count"] as? Int ?? -1, row["last_pulled"] as? String)
        }
        return rows
    }

    /// A notification envelope with one event.
    static func envelope(id: String, action: String, repository: String, digest: String, tag: String?, time: String, method: String = "GET")
        -> String
    {
        let tagField = tag.map { ",\"tag\":\"\($0)\"" } ?? ""
        return """
            {"events":[{"id":"\(id)","timestamp":"\(time)","action":"\(action)","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "digest":"\(digest)","repository":"\(repository)"\(tagField)},"request":{"id":"req-\(id)","method":"\(method)","useragent":"test"}}]}
            """
    }

    static func post(_ serve: ServeProcess, _ body: String, token: String? = UsageTests.token) async throws -> (Int, String) {
        let answer = try await serve.request("/api/v1/registries/main/events", method: "POST", token: token, body: Data(body.utf8))
        return (answer.status, answer.body)
    }

    @Test("notifications count exactly the GETs; HEADs, blobs and Evictor are not usage; replays count once; import equals; pulled-within")
    func pullHistory() async throws {
        let servePort = try FreePort.next()
        var options = RegistryOptions()
        options.notifications = ("http://127.0.0.1:\(servePort)/api/v1/registries/main/events", Self.token)
        options.accessLog = true
        let registry = try await RegistryServer.start(options)
        defer { registry.stop() }
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let config = work.appendingPathComponent("evictor.yaml").path
        try """
        version: 1
        registries:
          - name: main
            url: \(registry.url)
            notifications:
              token: ${NOTIFY_TOKEN}
            policies:
              - policy: pulled-within
                options: {keep_newest: 1}
        state:
          directory: \(work.path)/state
        serve:
          token: ${SERVE_TOKEN}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let environment = ["NOTIFY_TOKEN": Self.token, "SERVE_TOKEN": Self.serveToken]
        var serve = try await ServeProcess.start(
            arguments: ["serve", "--config", config, "--listen", "127.0.0.1:\(servePort)"], environment: environment)

        // Images from 2023, pushed now.
        let layout = try OCILayoutBuilder.temporary()
        defer { layout.remove() }
        var digests: [String: String] = [:]
        for version in 1...5 {
            let built = try layout.addImage(tag: "v\(version)", EvictionTests.image("usage-\(version)", day: Double(version)))
            digests["v\(version)"] = built.digest
            try await Skopeo.push(layout: layout, tag: "v\(version)", to: registry, repository: "shop/app")
        }
        // Pulls: skopeo copy (v2), skopeo inspect twice (v3); curl -I (v4) is a HEAD; evictor reads everything.
        let copied = work.appendingPathComponent("copy")
        try await ProcessRunner.check(
            "skopeo", ["--insecure-policy", "copy", "--src-tls-verify=false", "docker://\(registry.hostPort)/shop/app:v2", "dir:\(copied.path)"])
        for _ in 0..<2 {
            try await ProcessRunner.check(
                "skopeo", ["--insecure-policy", "inspect", "--tls-verify=false", "docker://\(registry.hostPort)/shop/app:v3"])
        }
        try await ProcessRunner.check(
            "curl", ["-fsI", "-H", "Accept: application/vnd.oci.image.manifest.v1+json", "\(registry.url)/v2/shop/app/manifests/v4"])
        #expect(try await EvictorBinary.run(["check", registry.url, "--all", "--report-dir", work.appendingPathComponent("r").path]).status == 0)

        // The GETs the registry's own access log has, per digest, are exactly what the store counts.
        let log = try String(contentsOf: registry.logFile, encoding: .utf8)
        var expected: [String: Int] = [:]
        for line in log.split(separator: "\n")
        where line.contains("msg=\"response completed\"") && line.contains("http.request.method=GET ")
            && line.contains("http.response.status=200 ") && !line.contains("useragent=evictor")
        {
            guard let uri = line.split(separator: " ").first(where: { $0.hasPrefix("http.request.uri=/v2/shop/app/manifests/") }) else { continue }
            let reference = String(uri.dropFirst("http.request.uri=/v2/shop/app/manifests/".count))
            expected["shop/app@\(reference.hasPrefix("sha256:") ? reference : digests[reference] ?? "?")", default: 0] += 1
        }
        #expect(expected.keys.contains("shop/app@\(digests["v2"] ?? "")") && expected["shop/app@\(digests["v3"] ?? "")"] == 2, "\(expected)")
        #expect(
            try await ServeTests.eventually(30) {
                let rows = try await Self.usage(serve)
                return expected.allSatisfy { rows[$0.key]?.0 == $0.value } && rows.count == 5
            })
        let rows = try await Self.usage(serve)
        #expect(rows["shop/app@\(digests["v4"] ?? "")"]?.0 == 0, "a HEAD is no pull: \(rows)")
        #expect(rows["shop/app@\(digests["v1"] ?? "")"]?.0 == 0)
        #expect(rows.values.map(\.0).reduce(0, +) == expected.values.reduce(0, +))

        // A replayed batch counts once; bad batches record nothing.
        let old = Self.envelope(
            id: "e-old", action: "push", repository: "shop/app", digest: digests["v1"] ?? "", tag: "v1", time: "2026-10-01T00:00:00Z")
        #expect(try await Self.post(serve, old).0 == 200)
        let replay = try await Self.post(serve, old)
        #expect(replay.0 == 200 && replay.1.contains("recorded 0, duplicates 1"), "\(replay)")
        #expect(try await Self.post(serve, old, token: nil).0 == 401)
        #expect(try await Self.post(serve, old, token: "wrong").0 == 401)
        #expect(try await Self.post(serve, "{\"events\": [{\"id\": 1}]}").0 == 400)
        #expect(try await Self.post(serve, "not json").0 == 400)
        #expect(try await Self.post(serve, String(repeating: " ", count: 5 << 20) + old).0 == 413)
        let before = try await Self.usage(serve)
        #expect(before.mapValues(\.0) == rows.mapValues(\.0))
        let metrics = try await ServeTests.parsedMetrics(try await serve.request("/metrics", token: Self.serveToken).body)
        #expect((metrics["evictor_events_duplicate_total{registry=\"main\"}"] ?? 0) >= 1)
        #expect((metrics["evictor_event_batches_refused_total{reason=\"malformed\",registry=\"main\"}"] ?? 0) == 2)
        #expect((metrics["evictor_event_batches_refused_total{reason=\"too_large\",registry=\"main\"}"] ?? 0) == 1)

        // The report: when the history starts, and each planned tag's last pull.
        #expect(try await serve.request("/api/v1/registries/main/jobs/plan", method: "POST", token: Self.serveToken).status == 202)
        #expect(
            try await ServeTests.eventually(30) {
                try await ServeTests.runs(serve, token: Self.serveToken).contains { $0["job"] as? String == "plan" }
            })
        let page = try await serve.request("/", token: Self.serveToken).body
        #expect(page.contains("The pull history starts 2026-10-01"), "\(page)")
        #expect(page.contains("Last pull") && page.contains("(2 pulls)") && page.contains("none recorded"), "\(page)")

        // A restart loses nothing.
        #expect(await serve.stop() == 0)
        serve = try await ServeProcess.start(
            arguments: ["serve", "--config", config, "--listen", "127.0.0.1:\(servePort)"], environment: environment)
        #expect(try await Self.usage(serve).mapValues(\.0) == rows.mapValues(\.0))
        _ = await serve.stop()

        // Wrong input: one line naming it, exit 2, no store made.
        let nowhere = work.appendingPathComponent("nowhere.sqlite").path
        for (arguments, culprit) in [
            (["--registry", "main", "--access-log", "/nonexistent/registry.log"], "/nonexistent/registry.log"),
            (["--registry", "mian", "--access-log", registry.logFile.path], "no registry named \"mian\""),
        ] {
            let wrong = try await EvictorBinary.run(
                ["usage", "import", "--config", config, "--usage", nowhere] + arguments, environment: environment)
            #expect(wrong.status == 2 && wrong.stderrText.split(separator: "\n").count == 1, "\(wrong.stderrText)")
            #expect(wrong.stderrText.contains(culprit), "\(wrong.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: nowhere))
        }

        // The access log imported into a separate store gives the same pulls.
        let imported = work.appendingPathComponent("imported.sqlite").path
        for round in 0..<2 {
            let result = try await EvictorBinary.run(
                ["usage", "import", "--config", config, "--registry", "main", "--access-log", registry.logFile.path, "--usage", imported],
                environment: environment)
            #expect(result.status == 0, "\(result.stderrText)")
            let total = expected.values.reduce(0, +)
            #expect(result.stdoutText.contains(round == 0 ? "\(total) recorded, 0 already" : "0 recorded, \(total) already"), "\(result.stdoutText)")
        }

        // Store against store: the same manifests with the same pull counts, the last pulls within a
        // second (the notification's time and the log line's differ by microseconds).
        let compare = """
            import sqlite3, sys
            def pulls(path):
                rows = sqlite3.connect(path).execute("SELECT repository, digest, pull_count, last_pulled FROM manifests WHERE pull_count > 0")
                return {(r, d): (c, t) for r, d, c, t in rows}
            a, b = pulls(sys.argv[1]), pulls(sys.argv[2])
            assert a.keys() == b.keys(), (sorted(a), sorted(b))
            for key in a:
                assert a[key][0] == b[key][0] and abs(a[key][1] - b[key][1]) < 1, (key, a[key], b[key])
            print(len(a))
            """
        let compared = try await ProcessRunner.run("python3", ["-c", compare, "\(work.path)/state/usage.sqlite", imported])
        #expect(compared.status == 0 && compared.stdoutText == "\(expected.count)\n", "\(compared.stdoutText)\(compared.stderrText)")

        // pulled-within, with the history from 2026-10-01 (the replayed push): pulled tags and the newest stay.
        let store = "\(work.path)/state/usage.sqlite"
        let plan = try await EvictorBinary.run(
            [
                "plan", "--config", config, "main", "--policy", "pulled-within", "--usage", store, "--policy-option", "keep_newest=1",
                "--explain", "shop/app:v3", "--explain", "shop/app:v1",
            ], environment: environment)
        #expect(plan.status == 0, "\(plan.stdoutText)\(plan.stderrText)")
        #expect(plan.stdoutText.contains("delete 2 of 5 tags"), "\(plan.stdoutText)")
        #expect(plan.stdoutText.contains("pulled 20") && plan.stdoutText.contains("(2 pulls)"), "\(plan.stdoutText)")
        #expect(plan.stdoutText.contains("never pulled since 2026-10-01"), "\(plan.stdoutText)")
        let importedPlan = try await EvictorBinary.run(
            [
                "plan", "--config", config, "main", "--policy", "pulled-within", "--usage", imported, "--policy-option", "keep_newest=1",
                "--policy-option", "unknown=age",
            ], environment: environment)
        #expect(importedPlan.stdoutText.contains("delete 2 of 5 tags"), "\(importedPlan.stdoutText)")

        // The usage source: what was pulled is in use for in-use.lua and every rail.
        let inventory = work.appendingPathComponent("pulled.json").path
        let collected = try await EvictorBinary.run(
            ["inventory", "--config", config, "--source", "usage:7", "-o", inventory], environment: environment)
        #expect(collected.status == 0, "\(collected.stderrText)")
        let text = try String(contentsOfFile: inventory, encoding: .utf8)
        #expect(text.contains("\(registry.hostPort)/shop/app@\(digests["v2"] ?? "")") && text.contains("shop/app:v3"), "\(text)")
        #expect(!text.contains(digests["v4"] ?? "?"), "a HEAD made v4 no pull: \(text)")
        let inUse = try await EvictorBinary.run(
            [
                "plan", registry.url, "--policy", "in-use", "--inventory", inventory, "--min-inventory", "1", "--policy-option", "keep_newest=0",
                "--policy-option", "keep_before=0", "--max-delete-percent", "100", "--explain", "shop/app:v2",
            ])
        #expect(inUse.stdoutText.contains("delete 3 of 5 tags"), "\(inUse.stdoutText)")
        #expect(inUse.stdoutText.contains("usage;\(registry.hostPort);pulled"), "\(inUse.stdoutText)")
    }
}
