/// A duration written as numbers with units: `90s`, `15m`, `6h`, `2d`, `1w`, `1h30m`.
public struct ConfigDuration: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Whole seconds.
    public var seconds: Int
    /// As written in the file (after interpolation).
    public var text: String

    public init(seconds: Int, text: String) {
        self.seconds = seconds
        self.text = text
    }

    /// `seconds` in the largest unit that keeps it above 1 (`7h`, `3d`, `40s`), for messages.
    public static func rounded(_ seconds: Double) -> String {
        for (unit, size) in [("w", 604_800.0), ("d", 86_400.0), ("h", 3_600.0), ("m", 60.0)] where seconds >= size {
            return String(format: "%.0f%@", (seconds / size).rounded(.down), unit)
        }
        return String(format: "%.0fs", max(0, seconds))
    }

    static let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]

    /// Parses `text`; nil unless it is one or more `<number><unit>` parts with units s, m, h,
    /// d, w, and more than zero seconds in all.
    public init?(parsing text: String) {
        var total = 0
        var digits = ""
        var parts = 0
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = Self.units[character], let number = Int(digits) {
                let (product, overflow) = number.multipliedReportingOverflow(by: unit)
                let (sum, overflow2) = total.addingReportingOverflow(product)
                guard !overflow, !overflow2 else { return nil }
                total = sum
                digits = ""
                parts += 1
            } else {
                return nil
            }
        }
        guard digits.isEmpty, parts > 0, total > 0 else { return nil }
        self.init(seconds: total, text: text)
    }

    public var description: String { text }
}
