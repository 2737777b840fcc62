import Foundation

/// The web report's charts: inline SVG lines over time, each with its figures in words, and
/// the space per repository as a table whose bars are plain CSS (readable at any width).
enum Charts {
    /// Tags and reclaimable bytes per run, over time.
    static func overTime(_ figures: [RegistryFigures], into page: inout HTML) {
        let points = figures.filter { $0.tags != nil || $0.reclaimableBytes != nil }
        let tags = points.compactMap { figure in figure.tags.map { (figure.startedAt, Double($0)) } }
        let bytes = points.compactMap { figure in figure.reclaimableBytes.map { (figure.startedAt, Double($0)) } }
        let size = figures.compactMap { figure in figure.bytes.map { (figure.startedAt, Double($0)) } }
        guard !tags.isEmpty || !bytes.isEmpty || !size.isEmpty else { return }
        page.raw("<div class=\"charts\">")
        if !size.isEmpty { line(size, title: "Size over time (the blobs its tags refer to)", unit: "bytes", into: &page) }
        if !tags.isEmpty { line(tags, title: "Tags over time", unit: "tags", into: &page) }
        if !bytes.isEmpty { line(bytes, title: "Space the plan would free, over time", unit: "bytes", into: &page) }
        page.raw("</div>")
    }

    /// One series as a line chart: the largest value and zero on the left, the first and last
    /// time below, and the same in a sentence.
    static func line(_ series: [(Date, Double)], title: String, unit: String, into page: inout HTML) {
        // Small enough a viewBox that its 16-unit text stays legible when a phone scales it down.
        let (width, height, left, right, top, bottom) = (400.0, 176.0, 8.0, 8.0, 26.0, 28.0)
        let values = series.map(\.1)
        let largest = max(values.max() ?? 1, 1)
        let times = series.map { $0.0.timeIntervalSince1970 }
        let (start, span) = (times.min() ?? 0, max((times.max() ?? 0) - (times.min() ?? 0), 1))
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let coordinates = series.map { time, value in
            (
                series.count == 1 ? left + plotWidth / 2 : left + (time.timeIntervalSince1970 - start) / span * plotWidth,
                top + plotHeight - value / largest * plotHeight
            )
        }
        let first = series.first.map { ReportPages.time($0.0) } ?? ""
        let last = series.last.map { ReportPages.time($0.0) } ?? ""
        let summary =
            "\(title): \(format(values.first ?? 0, unit)) at \(first), \(format(values.last ?? 0, unit)) at \(last) "
            + "(\(ReportPages.plural(series.count, "run")); at most \(format(values.max() ?? 0, unit)))"
        page.raw("<figure><figcaption>")
        page.add(title)
        page.raw("</figcaption><svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"")
        page.add(summary)
        page.raw("\">")
        page.raw(
            String(
                format: "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#767676\"/>", left, top, plotWidth,
                plotHeight))
        let path = coordinates.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ")
        page.raw("<polyline fill=\"none\" stroke=\"#0b4f8a\" stroke-width=\"2.5\" points=\"\(path)\"/>")
        for (x, y) in coordinates { page.raw(String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#0b4f8a\"/>", x, y)) }
        page.raw(String(format: "<text x=\"%.0f\" y=\"19\" font-size=\"16\" fill=\"#1a1a1a\">", left))
        page.add("at most \(format(largest, unit))")
        page.raw(
            String(
                format: "</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"16\" text-anchor=\"end\" fill=\"#1a1a1a\">0</text>", width - right - 4,
                top + plotHeight - 4))
        page.raw(String(format: "<text x=\"%.0f\" y=\"%.0f\" font-size=\"16\" fill=\"#1a1a1a\">", left, height - 7))
        page.add(shortTime(series.first?.0))
        page.raw(
            String(format: "</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"16\" text-anchor=\"end\" fill=\"#1a1a1a\">", width - right, height - 7))
        page.add(shortTime(series.last?.0))
        page.raw("</text></svg><p class=\"figures\">")
        page.add(summary + ".")
        page.raw("</p></figure>")
    }

    /// `11-30 23:36` (UTC): short enough for a chart's axis.
    static func shortTime(_ date: Date?) -> String {
        guard let date else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "MM-dd HH:mm"
        return formatter.string(from: date)
    }

    /// The space each repository would free, largest first (the twenty largest), as a table
    /// with a bar per row.
    static func reclaimable(_ repositories: [PlanRepositoryRow], into page: inout HTML) {
        let rows = repositories.filter { $0.reclaimableBytes > 0 || $0.tagsDeleted > 0 }.prefix(20)
        guard !rows.isEmpty else {
            page.raw("<p>The plan frees nothing.</p>")
            return
        }
        let largest = Double(max(rows.map(\.reclaimableBytes).max() ?? 1, 1))
        page.raw("<div class=\"scroll\"><table><caption>Space each repository would free, largest first</caption><thead><tr>")
        page.raw("<th scope=\"col\">Repository</th><th scope=\"col\">Tags deleted</th><th scope=\"col\">Reclaimable</th>")
        page.raw("<th scope=\"col\" class=\"share\">Share</th></tr></thead><tbody>")
        for row in rows {
            page.raw("<tr>")
            page.element("th", row.repository, attributes: "scope=\"row\"")
            page.element("td", "\(row.tagsDeleted) of \(row.tags)")
            page.element("td", format(Double(row.reclaimableBytes), "bytes"))
            let percent = Int((Double(row.reclaimableBytes) / largest * 100).rounded())
            page.raw("<td class=\"share\"><span class=\"bar\" style=\"width:\(percent)%\" aria-hidden=\"true\"></span></td>")
            page.raw("</tr>")
        }
        page.raw("</tbody></table></div>")
        if repositories.count > rows.count, rows.count == 20 { page.raw("<p>The 20 largest are shown.</p>") }
    }

    static func format(_ value: Double, _ unit: String) -> String {
        guard unit == "bytes" else { return ReportPages.plural(Int(value), unit.hasSuffix("s") ? String(unit.dropLast()) : unit) }
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
