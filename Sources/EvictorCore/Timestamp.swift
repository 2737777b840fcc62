import Foundation

/// RFC 3339 timestamps as registries and image configs write them: with or without a
/// fraction (Go writes up to nanoseconds), `Z` or an offset.
public enum Timestamp {
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        // Drop the fraction, parse the rest, add the fraction back (ISO8601DateFormatter
        // only takes up to milliseconds).
        guard let dot = text.firstIndex(of: "."), dot > text.startIndex else { return nil }
        let afterDot = text[text.index(after: dot)...]
        let digits = afterDot.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, let date = plain.date(from: String(text[..<dot]) + afterDot.dropFirst(digits.count)) else {
            return nil
        }
        return date.addingTimeInterval((Double("0." + digits) ?? 0))
    }
}
