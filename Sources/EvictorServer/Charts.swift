import Foundation

/// Inline SVG charts for the web report, each with a text alternative.
enum Charts {
    /// Tags and reclaimable bytes per run, over time.
    static func overTime(_ figures: [RegistryFigures], into page: inout HTML) {
        let points = figures.filter { $0.tags != nil || $0.reclaimableBytes != nil }
        guard points.count >= 1 else { return }
        let tags = points.compactMap { figure in figure.tags.map { (figure.startedAt, Double($0)) } }
        let bytes = points.compactMap { figure in figure.reclaimableBytes.map { (figure.startedAt, Double($0)) } }
        if !tags.isEmpty { line(tags, title: "Tags over time", unit: "tags", into: &page) }
        if !bytes.isEmpty { line(bytes, title: "Space the plan would free, over time", unit: "bytes", into: &page) }
    }

    /// One series as a line chart with its first and last value stated.
    static func line(_ series: [(Date, Double)], title: String, unit: String, into page: inout HTML) {
        let (width, height, pad) = (600.0, 160.0, 30.0)
        let values = series.map(\.1)
        let top = max(values.max() ?? 1, 1)
        let times = series.map { $0.0.timeIntervalSince1970 }
        let (start, span) = (times.min() ?? 0, max((times.max() ?? 0) - (times.min() ?? 0), 1))
        let coordinates = series.map { time, value in
            (pad + (time.timeIntervalSince1970 - start) / span * (width - 2 * pad), height - pad - value / top * (height - 2 * pad))
        }
        let summary = "\(title): from \(format(values.first ?? 0, unit)) to \(format(values.last ?? 0, unit)) over \(series.count) runs"
        page.raw("<figure><figcaption>")
        page.add(title)
        page.raw("</figcaption><svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"")
        page.add(summary)
        page.raw("\"><rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#fafafa\" stroke=\"#767676\"/>")
        let path = coordinates.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
        page.raw("<polyline fill=\"none\" stroke=\"#0b5394\" stroke-width=\"2\" points=\"\(path)\"/>")
        for (x, y) in coordinates { page.raw(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#0b5394\"/>", x, y)) }
        page.raw("<text x=\"4\" y=\"14\" font-size=\"12\" fill=\"#1a1a1a\">")
        page.add(format(top, unit))
        page.raw("</text></svg><p>")
        page.add(summary + ".")
        page.raw("</p></figure>")
    }

    /// The space each repository would free, largest first (the ten largest).
    static func reclaimable(_ repositories: [PlanRepositoryRow], into page: inout HTML) {
        let rows = repositories.filter { $0.reclaimableBytes > 0 || $0.tagsDeleted > 0 }.prefix(10)
        guard !rows.isEmpty else {
            page.raw("<p>The plan frees nothing.</p>")
            return
        }
        let largest = Double(max(rows.map(\.reclaimableBytes).max() ?? 1, 1))
        let barHeight = 22.0
        let height = Double(rows.count) * (barHeight + 6) + 6
        page.raw("<figure><figcaption>Space each repository would free</figcaption><svg viewBox=\"0 0 600 \(Int(height))\" role=\"img\" ")
        page.raw("aria-label=\"Space each repository would free; the table below lists it\">")
        for (index, row) in rows.enumerated() {
            let y = 6 + Double(index) * (barHeight + 6)
            let width = max(2, Double(row.reclaimableBytes) / largest * 300)
            page.raw(String(format: "<rect x=\"290\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#b45f06\"/>", y, width, barHeight))
            page.raw(String(format: "<text x=\"284\" y=\"%.0f\" font-size=\"12\" text-anchor=\"end\" fill=\"#1a1a1a\">", y + 15))
            page.add(String(row.repository.suffix(40)))
            page.raw("</text>")
        }
        page.raw("</svg></figure><div class=\"scroll\"><table><caption>Space each repository would free</caption><thead><tr>")
        page.raw("<th scope=\"col\">Repository</th><th scope=\"col\">Tags</th><th scope=\"col\">Tags deleted</th><th scope=\"col\">Reclaimable</th>")
        page.raw("</tr></thead><tbody>")
        for row in rows {
            page.raw("<tr>")
            page.element("td", row.repository)
            page.element("td", String(row.tags))
            page.element("td", String(row.tagsDeleted))
            page.element("td", format(Double(row.reclaimableBytes), "bytes"))
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div>")
    }

    static func format(_ value: Double, _ unit: String) -> String {
        guard unit == "bytes" else { return "\(Int(value)) \(unit)" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var amount = value
        var index = 0
        while amount >= 1024, index < units.count - 1 {
            amount /= 1024
            index += 1
        }
        return index == 0 ? "\(Int(value)) B" : String(format: "%.1f %@", amount, units[index])
    }
}
