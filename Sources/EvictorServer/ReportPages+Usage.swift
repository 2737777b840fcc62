import EvictorEngine
import Foundation

/// The pull history in the web report: when it starts, and the repositories nobody pulled lately.
extension ReportPages {
    /// Days after which a repository nobody pulled is listed.
    static let unpulledDays = 30

    func pulls(_ registry: String, search: String?, into page: inout HTML) throws {
        let since = try server.usage.since(registry: registry)
        guard server.config.registry(named: registry)?.notifications != nil || since != nil else { return }
        page.raw("<h3>Pulls</h3>")
        guard let since else {
            page.raw("<p>No notification from this registry yet (its <code>notifications</code> endpoint points at ")
            page.add("/api/v1/registries/\(registry)/events")
            page.raw(").</p>")
            return
        }
        let rows = try server.usage.manifests(registry: registry).filter { $0.deleted == nil }
        let cutoff = Date().addingTimeInterval(-Double(Self.unpulledDays) * 86_400)
        var lastPull: [String: Date] = [:]
        for row in rows {
            if let pulled = row.lastPulled { lastPull[row.repository] = max(lastPull[row.repository] ?? pulled, pulled) }
        }
        var repositories = Set(rows.map(\.repository))
        if let run = try server.history.latestPlanRun(registry: registry) {
            repositories.formUnion(try server.history.planRepositories(runID: run, registry: registry).map(\.repository))
        }
        let unpulled = repositories.filter { (lastPull[$0] ?? .distantPast) < cutoff }.sorted().filter { Self.matches($0, search) }
        let recent = rows.filter { ($0.lastPulled ?? .distantPast) >= cutoff }.reduce(0) { $0 + $1.pullCount }
        page.raw("<p>")
        page.add(
            "The pull history starts \(Self.time(since)); \(Self.plural(recent, "pull")) of manifests pulled in the last "
                + "\(Self.unpulledDays) days. Usage unknown is not unused: a tag pushed before the history started has no record.")
        page.raw("</p>")
        guard !unpulled.isEmpty else {
            page.raw("<p>Every repository was pulled in the last \(Self.unpulledDays) days.</p>")
            return
        }
        page.raw("<div class=\"scroll\"><table><caption>Repositories nobody pulled in the last \(Self.unpulledDays) days</caption>")
        page.raw("<thead><tr><th scope=\"col\">Repository</th><th scope=\"col\">Last pull</th></tr></thead><tbody>")
        for repository in unpulled {
            page.raw("<tr>")
            page.element("th", repository, attributes: "scope=\"row\"")
            page.element("td", lastPull[repository].map(Self.time) ?? "none since \(Self.time(since))")
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div>")
    }

    /// "repository@digest" -> the last pull, for the plan's "Last pull" column.
    func lastPulls(_ registry: String) -> [String: (Date?, Int)] {
        guard let rows = try? server.usage.manifests(registry: registry) else { return [:] }
        var pulls: [String: (Date?, Int)] = [:]
        for row in rows { pulls["\(row.repository)@\(row.digest)"] = (row.lastPulled, row.pullCount) }
        return pulls
    }
}
