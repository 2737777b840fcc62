import Foundation

/// RFC 3339 timestamps as registries and image configs write them: with or without a
/// fraction (Go writes up to nanoseconds), `Z` or an offset.
public enum Timestamp {
    /// The time `text` names, or nil. The usual form (`2024-05-01T12:00:00.123456789Z`,
    /// `+02:00`) is read directly from its bytes; anything else goes through Foundation's
    /// ISO 8601 parser, which took a quarter of a plan's CPU when it read every image's
    /// `created`.
    public static func parse(_ text: String) -> Date? {
        if let date = parseCommonForm(text) { return date }
        return parseWithFormatter(text)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.F{1,9}](Z|±HH:MM)`, every field in range, or nil (then Foundation
    /// decides: it also takes a day past the month's end or hour 24 as the next day, and
    /// counts years before 1583 in the Julian calendar; those stay its answers).
    static func parseCommonForm(_ text: String) -> Date? {
        var copy = text
        return copy.withUTF8 { bytes -> Date? in
            let count = bytes.count
            guard count >= 20 else { return nil }
            func number(_ start: Int, _ length: Int) -> Int? {
                var value = 0
                for index in start..<(start + length) {
                    let digit = Int(bytes[index]) - 48
                    guard digit >= 0 && digit <= 9 else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                year >= 1900, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
                hour <= 23, minute <= 59, second <= 59
            else { return nil }
            var index = 19
            var fraction = 0.0
            if bytes[index] == UInt8(ascii: ".") {
                var digits = 0
                var value = 0
                index += 1
                while index < count, bytes[index] >= 48, bytes[index] <= 57 {
                    value = value * 10 + Int(bytes[index] - 48)
                    digits += 1
                    index += 1
                }
                guard digits >= 1, digits <= 9 else { return nil }
                var scale = 1.0
                for _ in 0..<digits { scale *= 10 }
                fraction = Double(value) / scale
            }
            guard index < count else { return nil }
            var offset = 0
            switch bytes[index] {
            case UInt8(ascii: "Z"):
                guard index + 1 == count else { return nil }
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard index + 6 == count, bytes[index + 3] == UInt8(ascii: ":"),
                    let offsetHours = number(index + 1, 2), let offsetMinutes = number(index + 4, 2),
                    offsetHours <= 23, offsetMinutes <= 59
                else { return nil }
                offset = (offsetHours * 60 + offsetMinutes) * 60 * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
            default:
                return nil
            }
            let seconds = daysFromEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
            return Date(timeIntervalSince1970: Double(seconds) + fraction)
        }
    }

    /// Foundation's ISO 8601 parser, with a fraction of up to nine digits.
    static func parseWithFormatter(_ text: String) -> Date? {
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

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (the civil-days
    /// algorithm: years counted from March, in 400-year eras).
    private static func daysFromEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
