import EvictorCore
import EvictorEngine
import Foundation

/// The web report: server-rendered HTML, no JavaScript, no outside assets. Per registry the
/// tags and reclaimable space over time and the space each repository would free (inline
/// SVG), the last check's findings, the last plan with every reason (searchable by
/// repository), the recent runs, and each deletion's `evictor restore` command.
struct ReportPages: Sendable {
    let server: ServerState

    func overview(search: String?) throws -> String {
        var page = HTML()
        page.raw(
            """
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Evictor report</title><style>\(Self.style)</style></head><body><header><h1>Evictor report</h1><p>Generated 
            """)
        page.add(Self.time(Date()))
        page.raw(" (all times UTC). Registries: ")
        page.add(server.config.registries.map(\.name).joined(separator: ", "))
        page.raw("</p></header><main>")
        for registry in server.config.registries {
            try section(registry, search: search, into: &page)
        }
        try runs(into: &page)
        page.raw("</main></body></html>\n")
        return page.text
    }

    private func section(_ registry: RegistryConfig, search: String?, into page: inout HTML) throws {
        let figures = try server.history.figures(registry: registry.name, limit: 60)
        page.raw("<section aria-labelledby=\"r-\(HTML.query(registry.name))\"><h2 id=\"r-\(HTML.query(registry.name))\">Registry ")
        page.add(registry.name)
        page.raw(" <small>")
        page.add(registry.url)
        page.raw("</small></h2>")
        if let last = figures.last(where: { $0.tags != nil }) {
            page.raw("<p>")
            page.add(
                "\(last.repositories ?? 0) repositories, \(last.tags ?? 0) tags, \(last.manifests ?? 0) manifests "
                    + "(checked \(Self.time(last.startedAt)))."
            )
            page.raw("</p>")
        }
        Charts.overTime(figures, into: &page)
        try findings(registry.name, into: &page)
        try plan(registry.name, search: search, into: &page)
        try deletions(registry.name, into: &page)
        page.raw("</section>")
    }

    private func findings(_ registry: String, into page: inout HTML) throws {
        page.raw("<h3>Last check</h3>")
        guard let stored = try server.history.latestReport(registry: registry) else {
            page.raw("<p>No check has run yet.</p>")
            return
        }
        let report = try VersionedDocument.decoder().decode(HealthReport.self, from: Data(stored.json.utf8))
        let summary = report.summary
        page.raw("<p>")
        page.add("\(summary.tagsChecked) tags checked, \(summary.healthyTags) healthy, \(report.findings.count) findings")
        if !summary.problems.isEmpty {
            page.add(" (" + summary.problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")")
        }
        page.raw(".</p>")
        guard !report.findings.isEmpty else { return }
        page.raw("<div class=\"scroll\"><table><caption>Findings of the last check</caption><thead><tr>")
        page.raw(
            "<th scope=\"col\">Class</th><th scope=\"col\">Image</th><th scope=\"col\">Detail</th><th scope=\"col\">In use</th></tr></thead><tbody>")
        for finding in report.findings.prefix(500) {
            page.raw("<tr class=\"problem\">")
            page.element("td", finding.problem.rawValue)
            page.element("td", finding.tag.isEmpty ? finding.repository : "\(finding.repository):\(finding.tag)")
            page.element("td", finding.detail)
            page.element("td", finding.inUse ? "yes: " + finding.usedBy.joined(separator: ", ") : "no")
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div>")
    }

    private func plan(_ registry: String, search: String?, into page: inout HTML) throws {
        page.raw("<h3>Last plan</h3>")
        guard let plan = try server.latestPlan(registry: registry, search: search) else {
            page.raw("<p>No plan has been made yet.</p>")
            return
        }
        page.raw("<p>")
        page.add("Run \(plan.run). ")
        page.raw("</p>")
        Charts.reclaimable(plan.repositories, into: &page)
        page.raw("<form method=\"get\" action=\"/\" role=\"search\"><label for=\"search-\(HTML.query(registry))\">Repository contains</label> ")
        page.raw("<input id=\"search-\(HTML.query(registry))\" name=\"repository\" value=\"")
        page.add(search ?? "")
        page.raw("\"> <button type=\"submit\">Search</button></form>")
        page.raw("<div class=\"scroll\"><table><caption>Every tag and untagged manifest of the last plan, with the reasons</caption><thead><tr>")
        page.raw(
            "<th scope=\"col\">Repository</th><th scope=\"col\">Tag</th><th scope=\"col\">Verdict</th><th scope=\"col\">Why</th></tr></thead><tbody>")
        for item in plan.items.prefix(2_000) {
            page.raw(item.verdict == "delete" ? "<tr class=\"delete\">" : "<tr>")
            page.element("td", item.repository)
            page.element("td", item.tag ?? "(untagged \(item.digest.prefix(19)))")
            page.element("td", item.verdict)
            page.raw("<td>")
            for (index, reason) in item.reasons.enumerated() {
                if index > 0 { page.raw("<br>") }
                page.add(reason)
            }
            page.raw("</td></tr>")
        }
        page.raw("</tbody></table></div>")
        if plan.items.count > 2_000 { page.raw("<p>Only the first 2,000 items are shown: search by repository.</p>") }
    }

    private func deletions(_ registry: String, into page: inout HTML) throws {
        let rows = try server.history.deletions(registry: registry, limit: 200)
        guard !rows.isEmpty else { return }
        page.raw("<h3>Deletions</h3><div class=\"scroll\"><table><caption>Manifests deleted, newest first, and how to put each back ")
        page.raw("(until garbage collection)</caption><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Image</th>")
        page.raw("<th scope=\"col\">Outcome</th><th scope=\"col\">Undo</th></tr></thead><tbody>")
        for row in rows {
            page.raw("<tr>")
            page.element("td", Self.time(row.at))
            page.element("td", "\(row.repository)@\(row.digest.prefix(19))… \(row.tags.joined(separator: ","))")
            page.element("td", row.outcome)
            page.element("td", row.restoreCommand, attributes: "class=\"command\"")
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div>")
    }

    private func runs(into page: inout HTML) throws {
        let runs = try server.history.runs(limit: 30)
        page.raw("<section aria-labelledby=\"runs\"><h2 id=\"runs\">Recent runs</h2>")
        guard !runs.isEmpty else {
            page.raw("<p>No run yet.</p></section>")
            return
        }
        page.raw("<div class=\"scroll\"><table><caption>The last 30 jobs (UTC)</caption><thead><tr><th scope=\"col\">Started</th>")
        page.raw(
            "<th scope=\"col\">Job</th><th scope=\"col\">Registry</th><th scope=\"col\">Trigger</th>"
                + "<th scope=\"col\">Outcome</th></tr></thead><tbody>"
        )
        for run in runs {
            page.raw(run.outcome == "clean" ? "<tr>" : "<tr class=\"problem\">")
            page.element("td", Self.time(run.startedAt))
            page.element("td", run.job + (run.delete ? " (deleting)" : ""))
            page.element("td", run.registry ?? "all")
            page.element("td", run.trigger)
            page.element("td", run.outcome.replacingOccurrences(of: "_", with: " ") + (run.error.map { ": " + $0 } ?? ""))
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div></section>")
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    static let style = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff;line-height:1.45}
        header,main{max-width:72rem;margin:0 auto;padding:0 1rem}h1{font-size:1.6rem}h2{border-bottom:2px solid #1a1a1a}
        small{font-weight:normal;color:#444}table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
        caption{text-align:left;font-weight:600;padding:.25rem 0}th,td{border:1px solid #767676;padding:.3rem .5rem;text-align:left;
        vertical-align:top;word-break:break-word}th{background:#e8e8e8}tr.delete td{background:#fff0f0}tr.problem td{background:#fff6e0}
        .scroll{overflow-x:auto}.command{font-family:ui-monospace,monospace;font-size:.85rem}svg{max-width:100%;height:auto}
        form{margin:.5rem 0}input,button{font-size:1rem;padding:.3rem}figure{margin:.5rem 0}figcaption{font-weight:600}
        """
}
