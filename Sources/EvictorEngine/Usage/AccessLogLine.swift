import EvictorCore
import Foundation

/// A `response completed` line of Distribution's log (logrus text or JSON format) that is a
/// manifest pull: a GET of `/v2/REPOSITORY/manifests/REFERENCE` answered 200 for someone other
/// than Evictor. Its request id is the one notifications carry, so both count a pull once.
public struct AccessLogLine: Sendable, Equatable {
    public var requestID: String
    public var time: Date
    public var repository: String
    /// A tag or a digest, as requested.
    public var reference: String

    /// The pull `line` records, or nil when it is anything else.
    public static func pull(in line: Substring, ownUserAgent: String = "evictor") -> AccessLogLine? {
        guard line.contains("response completed"), line.contains("/manifests/") else { return nil }
        let fields = line.first == "{" ? jsonFields(line) : textFields(line)
        guard fields["msg"] == "response completed", fields["http.request.method"] == "GET", fields["http.response.status"] == "200",
            let id = fields["http.request.id"], let uri = fields["http.request.uri"], let timeText = fields["time"],
            let time = Timestamp.parse(timeText), !(fields["http.request.useragent"] ?? "").lowercased().hasPrefix(ownUserAgent)
        else { return nil }
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        guard path.hasPrefix("/v2/"), let marker = path.range(of: "/manifests/", options: .backwards) else { return nil }
        let repository = String(path[path.index(path.startIndex, offsetBy: 4)..<marker.lowerBound])
        let reference = String(path[marker.upperBound...])
        guard !repository.isEmpty, !reference.isEmpty else { return nil }
        return AccessLogLine(requestID: id, time: time, repository: repository, reference: reference)
    }

    /// `key=value` and `key="quoted value"` pairs of logrus's text format.
    static func textFields(_ line: Substring) -> [String: String] {
        var fields: [String: String] = [:]
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex, line[index] == " " { index = line.index(after: index) }
            guard let equals = line[index...].firstIndex(of: "=") else { break }
            let key = String(line[index..<equals])
            var cursor = line.index(after: equals)
            var value = ""
            if cursor < line.endIndex, line[cursor] == "\"" {
                cursor = line.index(after: cursor)
                while cursor < line.endIndex, line[cursor] != "\"" {
                    if line[cursor] == "\\", line.index(after: cursor) < line.endIndex { cursor = line.index(after: cursor) }
                    value.append(line[cursor])
                    cursor = line.index(after: cursor)
                }
                if cursor < line.endIndex { cursor = line.index(after: cursor) }
            } else {
                let end = line[cursor...].firstIndex(of: " ") ?? line.endIndex
                value = String(line[cursor..<end])
                cursor = end
            }
            fields[key] = value
            index = cursor
        }
        return fields
    }

    /// The string and number fields of a JSON-format line.
    static func jsonFields(_ line: Substring) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return [:] }
        var fields: [String: String] = [:]
        for (key, value) in object {
            if let text = value as? String { fields[key] = text } else if let number = value as? NSNumber { fields[key] = number.stringValue }
        }
        return fields
    }
}
