import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// `evictor serve` as a real process against a real registry (images pushed by skopeo, one
/// layer removed on disk), its web report loaded in headless Chromium through WebDriver and
/// read from the rendered DOM: content, search, accessibility, no script and nothing from
/// outside, and a phone-width layout that does not scroll sideways.
@Suite("evictor serve: the web report in a real browser", .serialized)
struct ServeReportTests {
    /// What the scenario seeded.
    struct Seeded {
        var work: URL
        var config: String
        var state: URL
        var environment: [String: String]
        /// The layer removed from the storage root (shop/app:broken needs it).
        var goneLayer: String
        /// The older push of tools/cli:t1, left untagged.
        var untagged: String
    }

    /// shop/app v1-v4 and `broken` (newest, in use, its layer removed on disk), tools/cli t1 (in
    /// use; an older push of t1 left untagged) and t2, old/unused a and b (in use nowhere).
    /// Policies: in-use (keep the 2 newest, none before) and untagged; a static inventory.
    static func seed(_ registry: RegistryServer, schedules: String, serve: String, maxDeletePercent: Int = 80) async throws -> Seeded {
        let layout = try OCILayoutBuilder.temporary()
        defer { layout.remove() }
        var broken: BuiltManifest?
        for (day, tag) in ["v1", "v2", "v3", "v4", "broken"].enumerated() {
            let built = try layout.addImage(tag: tag, EvictionTests.image("serve-app-\(tag)", day: Double(day + 1)))
            if tag == "broken" { broken = built }
            try await Skopeo.push(layout: layout, tag: tag, to: registry, repository: "shop/app")
        }
        let old = try layout.addImage(tag: "t1", EvictionTests.image("serve-cli-old", day: 1))
        try await Skopeo.push(layout: layout, tag: "t1", to: registry, repository: "tools/cli")
        _ = try layout.addImage(tag: "t1", EvictionTests.image("serve-cli-new", day: 2))
        try await Skopeo.push(layout: layout, tag: "t1", to: registry, repository: "tools/cli")
        _ = try layout.addImage(tag: "t2", EvictionTests.image("serve-cli-t2", day: 3))
        try await Skopeo.push(layout: layout, tag: "t2", to: registry, repository: "tools/cli")
        for (index, tag) in ["a", "b"].enumerated() {
            _ = try layout.addImage(tag: tag, EvictionTests.image("serve-old-\(tag)", day: Double(index)))
            try await Skopeo.push(layout: layout, tag: tag, to: registry, repository: "old/unused")
        }
        let goneLayer = try #require(broken?.layerDigests.first)
        try FileManager.default.removeItem(at: StorageSeeder(root: registry.storageRoot).blobPath(goneLayer))
        try await registry.restart()

        let work = try EvictionTests.workDirectory()
        try "\(registry.hostPort)/shop/app:broken\n\(registry.hostPort)/tools/cli:t1\n".write(
            to: work.appendingPathComponent("pinned.txt"), atomically: true, encoding: .utf8)
        let state = work.appendingPathComponent("state")
        let config = work.appendingPathComponent("evictor.yaml")
        try """
        version: 1
        registries:
          - name: main
            url: ${SERVE_REGISTRY}
            policies:
              - policy: in-use
                options: {keep_newest: 2, keep_before: 0}
              - policy: untagged
            storage:
              root: \(registry.storageRoot.path)
        inventory:
          sources:
            - name: static
              argument: \(work.path)/pinned.txt
          file: \(work.path)/images.json
        safety:
          max_delete_percent: \(maxDeletePercent)
          min_inventory: 2
        state:
          directory: \(state.path)
        schedules:
        \(schedules)
        serve:
        \(serve)
        """.write(to: config, atomically: true, encoding: .utf8)
        return Seeded(
            work: work, config: config.path, state: state, environment: ["SERVE_REGISTRY": registry.url], goneLayer: goneLayer,
            untagged: old.digest)
    }

    /// A table of the rendered page: its caption, the scope of every header cell, and each body
    /// row's cells as text.
    struct PageTable: Decodable {
        var caption: String
        var headers: [String]
        var scopes: [String]
        var rows: [[String]]
    }

    /// What the rendered page says about itself.
    struct PageFacts: Decodable {
        var lang: String
        var viewport: String
        var scripts: Int
        var references: [String]
        var resources: [String]
        var stylesheets: [String]
        var text: String
        var searchValue: String
        var searchLabel: String
    }

    static let tablesScript = """
        return [...document.querySelectorAll('table')].map(t => ({
          caption: t.caption ? t.caption.textContent.trim() : '',
          headers: [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()),
          scopes: [...t.querySelectorAll('th')].map(th => th.getAttribute('scope') || ''),
          rows: [...t.tBodies].flatMap(b => [...b.rows]).map(r => [...r.cells].map(c => c.textContent.trim()))
        }))
        """

    static let factsScript = """
        const attributes = ['src', 'href', 'action', 'srcset', 'poster', 'data', 'formaction', 'xlink:href'];
        const references = [];
        for (const element of document.querySelectorAll('*')) {
          for (const name of attributes) { if (element.hasAttribute(name)) references.push(element.getAttribute(name)); }
        }
        const search = document.querySelector('form[role="search"] input[name="repository"]');
        const label = search && search.labels && search.labels.length ? search.labels[0].textContent.trim() : '';
        return {
          lang: document.documentElement.getAttribute('lang') || '',
          viewport: (document.querySelector('meta[name="viewport"]') || {}).content || '',
          scripts: document.querySelectorAll('script').length,
          references,
          resources: performance.getEntriesByType('resource').map(e => e.name),
          stylesheets: [...document.styleSheets].map(s => s.href || ''),
          text: document.body.innerText,
          searchValue: search ? search.value : '(no search field)',
          searchLabel: label
        };
        """

    /// Elements wider than the viewport that are not inside a `.scroll` container (which may
    /// scroll sideways on its own), and the document's widths.
    struct Overflow: Decodable {
        var clientWidth: Int
        var scrollWidth: Int
        var offenders: [String]
    }

    static let overflowScript = """
        const width = document.documentElement.clientWidth;
        const offenders = [];
        for (const element of document.body.querySelectorAll('*')) {
          if (element.parentElement && element.parentElement.closest('.scroll')) continue;
          const box = element.getBoundingClientRect();
          if (box.right > width + 1 || box.left < -1) {
            const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '');
            offenders.push(name + ' ' + Math.round(box.left) + '..' + Math.round(box.right));
          }
        }
        return { clientWidth: width, scrollWidth: document.documentElement.scrollWidth, offenders: offenders.slice(0, 20) };
        """

    /// Polls `/api/v1/runs` until `done` says the runs are there (60 s at most).
    static func waitForRuns(_ server: ServeProcess, token: String?, _ done: ([[String: Any]]) -> Bool) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + .seconds(90)
        var runs: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            let response = try await server.request("/api/v1/runs", token: token)
            #expect(response.status == 200, "\(response.body)")
            runs = (try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [[String: Any]]) ?? []
            if done(runs) { return runs }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("the runs did not come: \(runs)\n\(server.stderrText)")
        return runs
    }

    static func finished(_ runs: [[String: Any]], job: String) -> Bool {
        runs.contains { $0["job"] as? String == job && $0["ended_at"] != nil && $0["outcome"] as? String != "could_not_run" }
    }

    /// With `EVICTOR_REPORT_DUMP=DIR`, the page's DOM and a screenshot go to DIR (to look at).
    static func keep(_ dom: String, _ png: Data, name: String) throws {
        guard let directory = ProcessInfo.processInfo.environment["EVICTOR_REPORT_DUMP"], !directory.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try dom.write(toFile: "\(directory)/\(name).html", atomically: true, encoding: .utf8)
        try png.write(to: URL(fileURLWithPath: "\(directory)/\(name).png"))
    }

    /// The plan table's items as [repository, tag, verdict, why]: each repository's row group
    /// starts with a one-cell row naming it.
    static func planItems(_ table: PageTable) -> [[String]] {
        var repository = ""
        var items: [[String]] = []
        for row in table.rows {
            if row.count == 1 {
                repository = row[0]
            } else if row.count >= 3 {
                // Tag, verdict, reasons (and the last pull, when there is a pull history column).
                items.append([repository] + row)
            }
        }
        return items
    }

    static func table(_ tables: [PageTable], _ caption: String) -> PageTable? {
        tables.first { $0.caption.hasPrefix(caption) }
    }

    @Test("with a bearer token: findings, the plan with its reasons, search, captions, lang, viewport, no script, nothing from outside, phone width")
    func report() async throws {
        try await RegistryServer.with { registry in
            let token = "serve-\(UUID().uuidString)"
            let seeded = try await Self.seed(
                registry,
                schedules: """
                      - {job: plan, registry: main, every: 2s}
                      - {job: check, registry: main, every: 2s}
                    """,
                serve: "  token: ${SERVE_TOKEN}\n  listen: 127.0.0.1:0")
            defer { try? FileManager.default.removeItem(at: seeded.work) }
            var environment = seeded.environment
            environment["SERVE_TOKEN"] = token
            let server = try await ServeProcess.start(arguments: ["serve", "--config", seeded.config], environment: environment)

            // Health needs no token; everything else does.
            #expect(try await server.request("/healthz").status == 200)
            #expect(try await server.request("/readyz").status == 200)
            for path in ["/", "/api/v1/runs", "/metrics", "/_report.json"] {
                let refused = try await server.request(path)
                #expect(refused.status == 401, "\(path): \(refused.status)")
                #expect(refused.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
                #expect(try await server.request(path, token: token + "x").status == 401)
            }

            let runs = try await Self.waitForRuns(server, token: token) { Self.finished($0, job: "plan") && Self.finished($0, job: "check") }
            #expect(Self.finished(runs, job: "plan"), "no plan ran: \(runs)")
            #expect(Self.finished(runs, job: "check"), "no check ran (a schedule due with another on the same registry): \(runs)")

            let nagios = try await server.request("/_nagios_check_registry", token: token)
            #expect(nagios.status == 503 && nagios.body.hasPrefix("CRITICAL"), "\(nagios.body)")
            #expect(nagios.body.contains("shop/app:broken blob-missing"), "\(nagios.body)")
            let metrics = try await server.request("/metrics", token: token)
            #expect(metrics.body.contains(#"evictor_problems{registry="main",class="blob-missing"} 1"#), "\(metrics.body)")
            #expect(try await server.request("/api/v1/registries/main/jobs/run?delete=true", method: "POST", token: token).status == 403)
            #expect(try await server.request("/api/v1/registries/main/jobs/nothing", method: "POST", token: token).status == 404)
            #expect(try await server.request("/api/v1/registries/nowhere/jobs/check", method: "POST", token: token).status == 404)
            #expect(try await server.request("/api/v1/registries/main/jobs/inventory", method: "POST", token: token).status == 202)

            let html = try await server.request("/", token: token)
            #expect(html.status == 200 && html.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(!html.body.lowercased().contains("<script"), "the report carries a script")

            let browser = try await HeadlessChromium.start(width: 1200, height: 1600)
            do {
                try await browser.setExtraHeaders(["Authorization": "Bearer \(token)"])
                try await browser.load(server.url + "/")
                try Self.keep(try await browser.dom(), try await browser.screenshot(), name: "report")
                let facts = try await browser.evaluate(Self.factsScript, as: PageFacts.self)
                #expect(facts.lang == "en")
                #expect(facts.viewport.contains("width=device-width"), "\(facts.viewport)")
                #expect(facts.scripts == 0)
                #expect(facts.resources.isEmpty, "the page loaded \(facts.resources)")
                #expect(facts.stylesheets.allSatisfy { $0.isEmpty }, "stylesheets from files: \(facts.stylesheets)")
                for reference in facts.references {
                    let local =
                        reference.hasPrefix("/") && !reference.hasPrefix("//") || reference.hasPrefix("?") || reference.hasPrefix("#")
                        || reference.hasPrefix("data:")
                    #expect(local, "a reference outside the server: \(reference)")
                }
                #expect(facts.searchLabel.isEmpty == false, "the search field has no label")
                for name in ["main", registry.url, "shop/app", "tools/cli", "old/unused"] {
                    #expect(facts.text.contains(name), "\(name) is not on the page")
                }
                #expect(!facts.text.contains(token))

                let tables = try await browser.evaluate(Self.tablesScript, as: [PageTable].self)
                #expect(!tables.isEmpty)
                for table in tables {
                    #expect(!table.caption.isEmpty, "a table without a caption: \(table.headers)")
                    #expect(
                        !table.scopes.isEmpty && table.scopes.allSatisfy { ["col", "row", "rowgroup"].contains($0) },
                        "\(table.caption): \(table.scopes)")
                }
                let findings = try #require(Self.table(tables, "Findings"), "\(tables.map(\.caption))")
                let finding = try #require(findings.rows.first { $0.contains("blob-missing") }, "\(findings.rows)")
                #expect(finding.first == "shop/app:broken", "\(finding)")
                #expect(finding.contains { $0.contains(seeded.goneLayer) }, "the detail names the missing blob: \(finding)")
                #expect(finding.contains { $0.hasPrefix("static;") && $0.hasSuffix("pinned.txt:1") }, "shop/app:broken is in use: \(finding)")

                let plan = Self.planItems(try #require(Self.table(tables, "Every tag"), "\(tables.map(\.caption))"))
                func row(_ repository: String, _ tag: String) -> [String]? { plan.first { $0[0] == repository && $0[1] == tag } }
                for tag in ["a", "b"] {
                    let unused = try #require(row("old/unused", tag), "\(plan)")
                    #expect(unused[2] == "delete" && unused[3].contains("in-use: repository not in use"), "\(unused)")
                }
                for tag in ["v1", "v2", "v3"] {
                    let old = try #require(row("shop/app", tag), "\(plan)")
                    #expect(old[2] == "delete" && old[3].contains("not one of the 2 newest"), "\(old)")
                }
                let kept = try #require(row("shop/app", "broken"), "\(plan)")
                #expect(kept[2] == "keep", "\(kept)")
                let untagged = try #require(
                    plan.first { $0[0] == "tools/cli" && $0[1] == "untagged \(seeded.untagged.dropFirst(7).prefix(12))…" }, "\(plan)")
                #expect(untagged[2] == "delete" && untagged[3].contains("untagged"), "\(untagged)")

                // The search: only tools/cli is left, everywhere on the page.
                try await browser.load(server.url + "/?repository=tools")
                let searched = try await browser.evaluate(Self.tablesScript, as: [PageTable].self)
                let searchedPlan = Self.planItems(try #require(Self.table(searched, "Every tag"), "\(searched.map(\.caption))"))
                #expect(!searchedPlan.isEmpty && searchedPlan.allSatisfy { $0.first == "tools/cli" }, "\(searchedPlan)")
                for table in searched {
                    for cells in table.rows {
                        #expect(!cells.contains { $0.hasPrefix("shop/app") || $0.hasPrefix("old/unused") }, "\(table.caption): \(cells)")
                    }
                }
                #expect(try await browser.evaluate(Self.factsScript, as: PageFacts.self).searchValue == "tools")

                // What the search echoes is text, never markup.
                let hostile = "<script>alert(1)</script>\"'><img src=x>"
                let encoded = hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                try await browser.load(server.url + "/?repository=" + encoded)
                let echoed = try await browser.evaluate(Self.factsScript, as: PageFacts.self)
                #expect(echoed.scripts == 0 && echoed.searchValue == hostile && !echoed.references.contains("x"), "\(echoed.references)")
                #expect(echoed.text.contains(hostile))

                // A phone: nothing but the .scroll containers wider than the screen.
                try await browser.emulateViewport(width: 375, height: 800)
                try await browser.load(server.url + "/")
                try Self.keep(try await browser.dom(), try await browser.screenshot(fullPage: true), name: "phone")
                let overflow = try await browser.evaluate(Self.overflowScript, as: Overflow.self)
                #expect(overflow.clientWidth == 375)
                #expect(overflow.scrollWidth <= overflow.clientWidth, "the page scrolls sideways: \(overflow)")
                #expect(overflow.offenders.isEmpty, "wider than the screen: \(overflow.offenders)")
            } catch {
                await browser.stop()
                throw error
            }
            await browser.stop()

            let status = await server.stop()
            #expect(status == 0, "\(server.stderrText)")
            #expect(!server.stderrText.contains(token))
        }
    }

    /// Words of a shell command line as the report quotes them (plain words and '...' quoting).
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var inWord = false
        for character in line {
            if character == "'" {
                quoted.toggle()
                inWord = true
            } else if character == " " && !quoted {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    @Test("a deleting run: every deletion listed with an undo command that puts it back; the runs say who started them")
    func deletions() async throws {
        try await RegistryServer.with { registry in
            let seeded = try await Self.seed(
                registry,
                schedules: """
                      - {job: run, registry: main, every: 1h, delete: true}
                      - {job: check, registry: main, every: 2s}
                      - {job: plan, registry: main, every: 2s}
                    """,
                serve: "  listen: 127.0.0.1:0")
            defer { try? FileManager.default.removeItem(at: seeded.work) }
            let server = try await ServeProcess.start(arguments: ["serve", "--config", seeded.config], environment: seeded.environment)
            let dumping = ProcessInfo.processInfo.environment["EVICTOR_REPORT_DUMP"]?.isEmpty == false

            // The deleting run starts first; the check and the plan due with it wait for it.
            func after(_ runs: [[String: Any]]) -> (checks: Int, plans: Int)? {
                guard let run = runs.first(where: { $0["job"] as? String == "run" && $0["delete"] as? Bool == true }),
                    let ended = run["ended_at"] as? String
                else { return nil }
                func count(_ job: String) -> Int {
                    runs.filter { $0["job"] as? String == job && ($0["started_at"] as? String ?? "") >= ended && $0["ended_at"] != nil }.count
                }
                return (count("check"), count("plan"))
            }
            let runs = try await Self.waitForRuns(server, token: nil) { runs in
                guard let (checks, plans) = after(runs) else { return false }
                return checks >= 1 && plans >= 1
            }
            let run = try #require(runs.first { $0["job"] as? String == "run" }, "\(runs)")
            #expect(run["outcome"] as? String == "problems_found", "the check of the run finds shop/app:broken: \(run)")
            #expect(await Skopeo.canInspect(registry, "old/unused:a") == false)

            let browser = try await HeadlessChromium.start(width: 1200, height: 1600)
            do {
                try await browser.load(server.url + "/")
                let tables = try await browser.evaluate(Self.tablesScript, as: [PageTable].self)
                let deleted = try #require(Self.table(tables, "Manifests deleted"), "\(tables.map(\.caption))")
                // v1-v3, a and b, and the untagged push of tools/cli:t1.
                #expect(deleted.rows.count == 6, "\(deleted.rows)")
                for tag in ["v1", "v2", "v3"] {
                    #expect(deleted.rows.contains { $0[0].hasPrefix("shop/app@sha256:") && $0[0].hasSuffix("(\(tag))") }, "\(deleted.rows)")
                }
                #expect(deleted.rows.contains { $0[0].hasPrefix("tools/cli@\(seeded.untagged.prefix(19))") && $0[0].hasSuffix("(untagged)") })
                var commands: [String: String] = [:]
                for row in deleted.rows {
                    #expect(row[2] == "deleted", "\(row)")
                    let words = Self.shellWords(row[3])
                    #expect(Array(words.prefix(4)) == ["evictor", "restore", "--config", seeded.config], "\(row[3])")
                    let journal = try #require(words.firstIndex(of: "--journal").map { words[$0 + 1] }, "\(row[3])")
                    #expect(journal.hasPrefix(seeded.state.appendingPathComponent("journals").path), "\(journal)")
                    #expect(FileManager.default.fileExists(atPath: journal))
                    let repository = String(row[0].prefix { $0 != "@" })
                    #expect(Array(words.suffix(2)) == ["-r", repository], "\(row[3])")
                    commands[repository] = row[3]
                }
                // Broken tags first; the repository the run emptied after them, as no problem.
                let findings = try #require(Self.table(tables, "Findings"), "\(tables.map(\.caption))")
                #expect(findings.rows.map { $0[0] } == ["shop/app:broken", "old/unused"], "\(findings.rows)")
                #expect(findings.rows.last.map { $0[1] == "no-tags" && $0[3] == "not in use" } == true, "\(findings.rows)")
                let runsTable = try #require(Self.table(tables, "The last 30 jobs"), "\(tables.map(\.caption))")
                #expect(runsTable.rows.contains { $0[1] == "run (deleting)" && $0[3] == "schedule: every 1h" }, "\(runsTable.rows)")
                #expect(runsTable.rows.contains { $0[1] == "check" && $0[3] == "schedule: every 2s" }, "\(runsTable.rows)")

                // The undo command, as shown: both tags of old/unused come back.
                let undo = Self.shellWords(try #require(commands["old/unused"]))
                let restored = try await EvictorBinary.run(Array(undo.dropFirst()), environment: seeded.environment)
                #expect(restored.status == 0, "\(restored.stdoutText)\(restored.stderrText)")
                #expect(restored.stdoutText.contains("restored 2,"), "\(restored.stdoutText)")
                #expect(await Skopeo.canInspect(registry, "old/unused:a"))
                #expect(await Skopeo.canInspect(registry, "old/unused:b"))

                if dumping {
                    // For the README's picture: a few more checks, so the charts show the drop and the restore.
                    _ = try await Self.waitForRuns(server, token: nil) { runs in (after(runs)?.checks ?? 0) >= 4 }
                    try await browser.load(server.url + "/")
                    try Self.keep(try await browser.dom(), try await browser.screenshot(), name: "deletions")
                }
            } catch {
                await browser.stop()
                throw error
            }
            await browser.stop()
            #expect(await server.stop() == 0, "\(server.stderrText)")
        }
    }

    @Test("a plan a safety limit refuses says so, and why, where the plan and the runs are shown")
    func refusedPlan() async throws {
        try await RegistryServer.with { registry in
            let seeded = try await Self.seed(
                registry, schedules: "  - {job: plan, registry: main, every: 1h}", serve: "  listen: 127.0.0.1:0", maxDeletePercent: 10)
            defer { try? FileManager.default.removeItem(at: seeded.work) }
            let server = try await ServeProcess.start(arguments: ["serve", "--config", seeded.config], environment: seeded.environment)
            _ = try await Self.waitForRuns(server, token: nil) { runs in runs.contains { $0["job"] as? String == "plan" && $0["ended_at"] != nil } }
            // Without serve.token the pages are open, but nobody starts a job over HTTP.
            let refusedJob = try await server.request("/api/v1/registries/main/jobs/check", method: "POST")
            #expect(refusedJob.status == 403 && refusedJob.body.contains("serve.token"), "\(refusedJob.status) \(refusedJob.body)")
            let browser = try await HeadlessChromium.start()
            do {
                try await browser.load(server.url + "/")
                let warning = try await browser.evaluate(
                    "return [...document.querySelectorAll('.warning')].map(e => e.textContent)", as: [String].self)
                #expect(warning.count == 1 && warning[0].hasPrefix("Nothing of this plan was deleted."), "\(warning)")
                #expect(warning.first?.contains("refused: the plan deletes") == true && warning.first?.contains("10") == true, "\(warning)")
                let tables = try await browser.evaluate(Self.tablesScript, as: [PageTable].self)
                let glance = try #require(Self.table(tables, "Each registry"), "\(tables.map(\.caption))")
                #expect(glance.rows.first?.last?.hasSuffix("(refused: nothing deleted)") == true, "\(glance.rows)")
                let runs = try #require(Self.table(tables, "The last 30 jobs"), "\(tables.map(\.caption))")
                #expect(runs.rows.first?.last?.hasPrefix("could not run: main: refused: the plan deletes") == true, "\(runs.rows)")
            } catch {
                await browser.stop()
                throw error
            }
            await browser.stop()
            #expect(await server.stop() == 0, "\(server.stderrText)")
        }
    }
}
