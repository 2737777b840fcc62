import EvictorCore
import EvictorEngine
import Foundation

/// The web report: server-rendered HTML, no JavaScript, no outside assets. At the top each
/// registry at a glance and one search by repository, which every table follows; then per
/// registry the tags and reclaimable space over time (inline SVG), the last check's findings,
/// each deletion with the `evictor restore` command that puts it back, and the last plan with
/// the space per repository and every reason; last the recent runs. Every value goes through
/// `HTML`'s escaping; the layout fits a phone (only tables scroll sideways, inside `.scroll`).
struct ReportPages: Sendable {
    let server: ServerState

    func overview(search rawSearch: String?) throws -> String {
        let search = rawSearch.flatMap { $0.isEmpty ? nil : $0 }
        var page = HTML()
        page.raw(
            """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light"><link rel="icon" href="data:,"><title>Evictor report</title><style>\(Self.style)</style>
            </head><body><header><h1>Evictor report</h1><p>Generated 
            """)
        page.add(Self.time(Date()))
        page.raw(" (all times UTC).</p>")
        searchForm(search, into: &page)
        page.raw("</header><main>")
        let registries = try server.config.registries.map { registry in
            (registry, try server.history.figures(registry: registry.name, limit: 60), try latestReport(registry.name))
        }
        glance(registries, into: &page)
        for (registry, figures, report) in registries {
            try section(registry, figures: figures, report: report, search: search, into: &page)
        }
        try runs(into: &page)
        page.raw("</main></body></html>\n")
        return page.text
    }

    private func latestReport(_ registry: String) throws -> HealthReport? {
        guard let stored = try server.history.latestReport(registry: registry) else { return nil }
        return try VersionedDocument.decoder().decode(HealthReport.self, from: Data(stored.json.utf8))
    }

    private func searchForm(_ search: String?, into page: inout HTML) {
        page.raw("<form method=\"get\" action=\"/\" role=\"search\"><label for=\"repository\">Show only repositories whose name contains</label>")
        page.raw("<span class=\"field\"><input type=\"search\" id=\"repository\" name=\"repository\" value=\"")
        page.add(search ?? "")
        page.raw("\"> <button type=\"submit\">Filter</button></span></form>")
        if let search {
            page.raw("<p class=\"note\">Showing only repositories whose name contains <strong>")
            page.add(search)
            page.raw("</strong>. <a href=\"/\">Show all repositories</a></p>")
        }
    }

    // MARK: - At a glance

    private func glance(_ registries: [(RegistryConfig, [RegistryFigures], HealthReport?)], into page: inout HTML) {
        page.raw("<section aria-labelledby=\"glance\"><h2 id=\"glance\">At a glance</h2><div class=\"scroll\"><table>")
        page.raw("<caption>Each registry: its last check and its last plan</caption><thead><tr><th scope=\"col\">Registry</th>")
        page.raw("<th scope=\"col\">Health</th><th scope=\"col\">Last check</th><th scope=\"col\">Last plan</th></tr></thead><tbody>")
        for (registry, figures, report) in registries {
            let problems = report.map(Self.problems) ?? [:]
            page.raw(problems.isEmpty ? "<tr>" : "<tr class=\"problem\">")
            page.raw("<th scope=\"row\"><a href=\"#r-\(HTML.query(registry.name))\">")
            page.add(registry.name)
            page.raw("</a></th>")
            if let report {
                let count = problems.values.reduce(0, +)
                page.element(
                    "td",
                    count == 0
                        ? "healthy"
                        : "\(Self.plural(count, "problem")) ("
                            + problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                            + ")")
                page.element("td", figures.last { $0.tagsChecked != nil }.map { Self.time($0.startedAt) } ?? report.startedAt)
            } else {
                page.element("td", "not checked yet")
                page.element("td", "none")
            }
            if let plan = figures.last(where: { $0.tagsPlanned != nil }) {
                page.element("td", Self.planSentence(plan))
            } else {
                page.element("td", "no plan yet")
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div></section>")
    }

    /// A report's problems by class; a repository without tags is not one (nagios agrees).
    static func problems(_ report: HealthReport) -> [String: Int] {
        report.summary.problems.filter { $0.key != HealthProblem.noTags.rawValue && $0.value > 0 }
    }

    static func planSentence(_ plan: RegistryFigures) -> String {
        var text = "\(Self.time(plan.startedAt)): "
        if let deleted = plan.deleted {
            text += "deleted \(Self.plural(deleted, "manifest")) (\(Self.plural(plan.tagsDeleted ?? 0, "tag")))"
        } else {
            text += "would delete \(Self.plural(plan.tagsPlanned ?? 0, "tag")) and \(Self.plural(plan.manifestsPlanned ?? 0, "manifest"))"
        }
        text += ", \(Charts.format(Double(plan.reclaimableBytes ?? 0), "bytes")) reclaimable by garbage collection"
        if plan.error != nil, plan.deleted == nil {
            text += plan.error?.hasPrefix("refused") == true ? " (refused: nothing deleted)" : " (stopped: nothing deleted)"
        }
        return text
    }

    // MARK: - A registry

    private func section(
        _ registry: RegistryConfig, figures: [RegistryFigures], report: HealthReport?, search: String?, into page: inout HTML
    ) throws {
        page.raw("<section aria-labelledby=\"r-\(HTML.query(registry.name))\"><h2 id=\"r-\(HTML.query(registry.name))\">Registry ")
        page.add(registry.name)
        page.raw(" <small>")
        page.add(registry.url)
        page.raw("</small></h2>")
        if let last = figures.last(where: { $0.tags != nil }) {
            page.raw("<p>")
            page.add(
                "\(Self.plural(last.repositories ?? 0, "repository")), \(Self.plural(last.tags ?? 0, "tag")), "
                    + "\(Self.plural(last.manifests ?? 0, "manifest")) (counted \(Self.time(last.startedAt))).")
            page.raw("</p>")
        }
        Charts.overTime(figures, into: &page)
        findings(report, search: search, into: &page)
        try pulls(registry.name, search: search, into: &page)
        try deletions(registry.name, search: search, into: &page)
        try plan(registry.name, figures: figures, search: search, into: &page)
        page.raw("</section>")
    }

    private func findings(_ report: HealthReport?, search: String?, into page: inout HTML) {
        page.raw("<h3>Last check</h3>")
        guard let report else {
            page.raw("<p>No check has run yet.</p>")
            return
        }
        let summary = report.summary
        page.raw("<p>")
        page.add(
            "\(Self.plural(summary.tagsChecked, "tag")) checked, \(summary.healthyTags) healthy, \(Self.plural(report.findings.count, "finding"))")
        if !summary.problems.isEmpty {
            page.add(" (" + summary.problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")")
        }
        page.raw(".</p>")
        // Problems first; a repository without tags (no problem) after them, each in the check's order.
        let matching = report.findings.filter { Self.matches($0.repository, search) }
        let shown = matching.filter { $0.problem != .noTags } + matching.filter { $0.problem == .noTags }
        guard !shown.isEmpty else { return }
        page.raw("<div class=\"scroll\"><table><caption>Findings of the last check</caption><thead><tr>")
        page.raw(
            "<th scope=\"col\">Image</th><th scope=\"col\">Class</th><th scope=\"col\">Detail</th>"
                + "<th scope=\"col\">In use by</th></tr></thead><tbody>"
        )
        for finding in shown.prefix(500) {
            page.raw(finding.problem == .noTags ? "<tr>" : "<tr class=\"problem\">")
            page.element("th", finding.tag.isEmpty ? finding.repository : "\(finding.repository):\(finding.tag)", attributes: "scope=\"row\"")
            page.element("td", finding.problem.rawValue)
            page.element("td", finding.detail, attributes: "class=\"wrap\"")
            page.element("td", finding.inUse ? finding.usedBy.joined(separator: ", ") : "not in use", attributes: "class=\"wrap\"")
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div>")
        if shown.count > 500 { page.raw("<p>Only the first 500 findings are shown: /_report.json has them all.</p>") }
    }

    private func plan(_ registry: String, figures: [RegistryFigures], search: String?, into page: inout HTML) throws {
        page.raw("<h3>Last plan</h3>")
        guard let plan = try server.latestPlan(registry: registry, search: search) else {
            page.raw("<p>No plan has been made yet.</p>")
            return
        }
        page.raw("<p>")
        let planFigures = figures.last { $0.runID == plan.run }
        if let planFigures {
            page.add("Run \(plan.run), " + Self.planSentence(planFigures) + ".")
        } else {
            page.add("Run \(plan.run).")
        }
        page.raw("</p>")
        if let error = planFigures?.error {
            // A refused plan (a safety limit) or a registry part that stopped: say why, plainly.
            page.raw("<p class=\"warning\" role=\"note\"><strong>Nothing of this plan was deleted.</strong> ")
            page.add(error)
            page.raw("</p>")
        }
        Charts.reclaimable(plan.repositories.filter { Self.matches($0.repository, search) }, into: &page)
        page.raw("<div class=\"scroll\"><table><caption>Every tag and untagged manifest of the last plan, with the reasons, ")
        let pulls = lastPulls(registry)
        page.raw("by repository</caption><thead><tr><th scope=\"col\">Tag</th><th scope=\"col\">Verdict</th><th scope=\"col\">Why</th>")
        page.raw("<th scope=\"col\">Last pull</th></tr></thead>")
        var repository: String?
        for item in plan.items.prefix(2_000) {
            if item.repository != repository {
                // One row group per repository, its name heading it (no column repeats it).
                page.raw(repository == nil ? "<tbody><tr>" : "</tbody><tbody><tr>")
                page.element("th", item.repository, attributes: "scope=\"rowgroup\" colspan=\"4\" class=\"group\"")
                page.raw("</tr>")
                repository = item.repository
            }
            page.raw(item.verdict == "delete" ? "<tr class=\"delete\">" : "<tr>")
            if let tag = item.tag {
                page.element("th", tag, attributes: "scope=\"row\"")
            } else {
                // Untagged: the digest's first 12 hex digits, as docker shows an image id.
                page.element("th", "untagged \(item.digest.split(separator: ":").last?.prefix(12) ?? "")…", attributes: "scope=\"row\"")
            }
            page.raw(item.verdict == "delete" ? "<td><strong>" : "<td>")
            page.add(item.verdict)
            page.raw(item.verdict == "delete" ? "</strong></td>" : "</td>")
            page.raw("<td class=\"wrap\"><ul class=\"reasons\">")
            for reason in item.reasons {
                // "keep   policy: in-use: one of the 2 newest": the mark, then who and why.
                let words = reason.split(separator: " ", maxSplits: 1)
                page.raw("<li>")
                if words.count == 2, ["keep", "delete"].contains(String(words[0])) {
                    page.element("span", String(words[0]), attributes: "class=\"mark\"")
                    page.raw(" ")
                    page.add(words[1].trimmingCharacters(in: .whitespaces))
                } else {
                    page.add(reason)
                }
                page.raw("</li>")
            }
            page.raw("</ul></td>")
            if let (pulled, count) = pulls["\(item.repository)@\(item.digest)"] {
                page.element("td", pulled.map { "\(Self.time($0)) (\(Self.plural(count, "pull")))" } ?? "none recorded")
            } else {
                page.element("td", "unknown")
            }
            page.raw("</tr>")
        }
        page.raw(repository == nil ? "</table></div>" : "</tbody></table></div>")
        if plan.items.isEmpty, search != nil { page.raw("<p>No repository of this plan matches the filter.</p>") }
        if plan.items.count > 2_000 { page.raw("<p>Only the first 2,000 items are shown: filter by repository.</p>") }
    }

    private func deletions(_ registry: String, search: String?, into page: inout HTML) throws {
        let rows = try server.history.deletions(registry: registry, limit: 200).filter { Self.matches($0.repository, search) }
        guard !rows.isEmpty else { return }
        let config = server.configPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        page.raw("<h3>Recent deletions</h3><p>Until garbage collection frees their blobs, deleted manifests can be put back: each command ")
        page.raw("restores every manifest of that repository the same run deleted, with its tags.</p>")
        page.raw("<div class=\"scroll\"><table><caption>Manifests deleted, newest first, and the command that puts them back</caption>")
        page.raw("<thead><tr><th scope=\"col\">Image</th><th scope=\"col\">When</th><th scope=\"col\">Outcome</th>")
        page.raw("<th scope=\"col\">Undo</th></tr></thead><tbody>")
        for row in rows {
            page.raw("<tr>")
            page.element(
                "th", "\(row.repository)@\(row.digest.prefix(19))…" + (row.tags.isEmpty ? " (untagged)" : " (\(row.tags.joined(separator: ", ")))"),
                attributes: "scope=\"row\"")
            page.element("td", Self.time(row.at))
            page.element("td", row.outcome)
            if row.restorable {
                page.raw("<td><code class=\"command\">")
                page.add(row.restoreCommand(config: config))
                page.raw("</code></td>")
            } else {
                page.element("td", "nothing to undo")
            }
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div>")
    }

    // MARK: - Runs

    private func runs(into page: inout HTML) throws {
        let runs = try server.history.runs(limit: 30)
        let errors = try server.history.registryErrors(runIDs: runs.map(\.id))
        page.raw("<section aria-labelledby=\"runs\"><h2 id=\"runs\">Recent runs</h2>")
        guard !runs.isEmpty else {
            page.raw("<p>No run yet.</p></section>")
            return
        }
        page.raw("<div class=\"scroll\"><table><caption>The last 30 jobs, newest first</caption><thead><tr><th scope=\"col\">Started</th>")
        page.raw("<th scope=\"col\">Job</th><th scope=\"col\">Registry</th><th scope=\"col\">Started by</th><th scope=\"col\">Outcome</th>")
        page.raw("</tr></thead><tbody>")
        for run in runs {
            page.raw(run.outcome == "clean" ? "<tr>" : "<tr class=\"problem\">")
            page.element("th", Self.time(run.startedAt), attributes: "scope=\"row\"")
            page.element("td", run.job + (run.delete ? " (deleting)" : run.job == "run" ? " (dry run)" : ""))
            page.element("td", run.registry ?? "all")
            page.element("td", trigger(run.trigger))
            // The run's own error, else its registries' (a refused plan, a registry down).
            let why = run.error ?? errors[run.id].map { $0.joined(separator: "; ") }
            page.element("td", run.outcome.replacingOccurrences(of: "_", with: " ") + (why.map { ": " + $0 } ?? ""), attributes: "class=\"long\"")
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div></section>")
    }

    /// `schedule 2` as the schedule says it (`schedule: check every 5m`); `api` as an API request.
    func trigger(_ trigger: String) -> String {
        if trigger == "api" { return "API request" }
        guard trigger.hasPrefix("schedule "), let index = Int(trigger.dropFirst(9)), server.config.schedules.indices.contains(index) else {
            return trigger
        }
        let schedule = server.config.schedules[index]
        switch schedule.trigger {
        case .every(let interval): return "schedule: every \(interval)"
        case .cron(let cron): return "schedule: cron \(cron) (UTC)"
        }
    }

    // MARK: - Formatting

    /// Whether `repository` passes the filter (as the plan's query does: its name contains it).
    static func matches(_ repository: String, _ search: String?) -> Bool {
        guard let search else { return true }
        return repository.contains(search)
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    /// `1 tag`, `2 tags`, `1 repository`, `3 repositories`.
    static func plural(_ count: Int, _ noun: String) -> String {
        guard count != 1 else { return "1 \(noun)" }
        return noun.hasSuffix("y") ? "\(count) \(noun.dropLast())ies" : "\(count) \(noun)s"
    }

    /// Dark text on white (at least 7:1 everywhere, tinted rows included), a visible focus ring,
    /// and on a narrow screen smaller padding; long digests and paths wrap instead of widening
    /// the page, and only a table too wide for the screen scrolls, inside its `.scroll`.
    static let style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.45;font-size:1rem}
        header,main{max-width:72rem;margin:0 auto;padding:0 1rem}h1{font-size:1.6rem;margin:.8rem 0 .3rem}
        h2{font-size:1.3rem;border-bottom:2px solid #1a1a1a;margin-top:1.6rem}h3{font-size:1.1rem}
        small{font-weight:normal;color:#444;overflow-wrap:anywhere}p{overflow-wrap:break-word}a{color:#0b4f8a}
        table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
        .wrap{overflow-wrap:anywhere;min-width:9rem}
        .long{overflow-wrap:anywhere}tbody th.group{background:#e8e8e8;font-size:1.05rem}
        thead th{background:#e8e8e8}tbody th{font-weight:600}tr.delete>*{background:#fdecec}tr.problem>*{background:#fff4d6}
        .scroll{overflow-x:auto;max-width:100%}.command{display:block;font-family:ui-monospace,monospace;font-size:.85rem;
        white-space:pre-wrap;overflow-wrap:anywhere;user-select:all;background:#f3f3f3;padding:.2rem .3rem}
        ul.reasons{margin:0;padding-left:1.1rem}ul.reasons li{margin:0}.mark{font-weight:600}
        svg{display:block;max-width:100%;height:auto}figure{margin:.5rem 0}figcaption{font-weight:600}
        form{margin:.5rem 0 .8rem}label{display:block;margin-bottom:.2rem}.field{display:flex;gap:.4rem;flex-wrap:wrap}
        input{font-size:1rem;padding:.35rem;border:1px solid #595959;min-width:0;flex:1 1 12rem;max-width:24rem}
        button{font-size:1rem;padding:.35rem .8rem;border:1px solid #0b4f8a;background:#0b4f8a;color:#fff}
        :focus-visible{outline:3px solid #b45f06;outline-offset:2px}.note{background:#eef4fa;padding:.4rem .6rem}
        .warning{background:#fdecec;border-left:4px solid #a61b1b;padding:.4rem .6rem}
        .bar{display:block;height:.9rem;background:#8a4a05;min-width:2px}th.share,td.share{width:30%}.figures{font-size:.9rem}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,20rem),1fr));gap:0 1.5rem}
        @media (max-width:40rem){header,main{padding:0 .6rem}th,td{padding:.25rem .3rem}th.share,td.share{width:20%}
        h1{font-size:1.35rem}.command{font-size:.8rem}}
        """
}
