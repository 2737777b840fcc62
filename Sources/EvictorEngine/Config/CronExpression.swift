import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week), as cron(8) reads
/// it: `*`, numbers, ranges `a-b`, steps `*/n` and `a-b/n` and `a/n`, lists `a,b`, month names
/// `jan`..`dec`, day names `sun`..`sat` (0 and 7 are Sunday), and `@hourly`, `@daily`
/// (`@midnight`), `@weekly`, `@monthly`, `@yearly` (`@annually`). When both day fields are
/// restricted a day matches either, as in cron.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public var minutes: Set<Int>
    public var hours: Set<Int>
    public var daysOfMonth: Set<Int>
    public var months: Set<Int>
    /// 0 (Sunday) to 6.
    public var daysOfWeek: Set<Int>
    /// The day-of-month field is not `*`.
    public var restrictsDayOfMonth: Bool
    /// The day-of-week field is not `*`.
    public var restrictsDayOfWeek: Bool
    /// As written.
    public var text: String

    /// Why an expression is refused.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
        let namesStart: Int
    }

    static let fields = [
        Field(name: "minute", range: 0...59, names: [], namesStart: 0),
        Field(name: "hour", range: 0...23, names: [], namesStart: 0),
        Field(name: "day of month", range: 1...31, names: [], namesStart: 1),
        Field(
            name: "month", range: 1...12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
            namesStart: 1),
        Field(name: "day of week", range: 0...7, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], namesStart: 0),
    ]

    static let macros = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0", "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            guard let macro = Self.macros[trimmed.lowercased()] else {
                throw ParseError(description: "unknown macro \(trimmed) (use @hourly, @daily, @weekly, @monthly or @yearly)")
            }
            expanded = macro
        }
        let parts = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw ParseError(description: "expected 5 fields (minute hour day-of-month month day-of-week), got \(parts.count)")
        }
        var sets: [Set<Int>] = []
        for (part, field) in zip(parts, Self.fields) {
            sets.append(try Self.parse(part, field))
        }
        minutes = sets[0]
        hours = sets[1]
        daysOfMonth = sets[2]
        months = sets[3]
        daysOfWeek = Set(sets[4].map { $0 % 7 })
        restrictsDayOfMonth = parts[2] != "*"
        restrictsDayOfWeek = parts[4] != "*"
        self.text = trimmed
    }

    /// Whether the expression fires at this minute (weekday 0 = Sunday).
    /// The first whole minute after `date` (UTC) that matches, within a little over four years
    /// (nil: none, as for `0 0 30 2 *`).
    public func nextMatch(after date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        var minute = (date.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        let limit = minute + 4 * 366 * 86_400 + 86_400
        while minute < limit {
            let moment = Date(timeIntervalSince1970: minute)
            let parts = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: moment)
            let (hour, day, month, weekday) = (parts.hour ?? 0, parts.day ?? 1, parts.month ?? 1, (parts.weekday ?? 1) - 1)
            guard months.contains(month) else {
                minute += 86_400 - Double((parts.hour ?? 0) * 3_600 + (parts.minute ?? 0) * 60)  // next day
                continue
            }
            if matches(minute: parts.minute ?? 0, hour: hour, day: day, month: month, weekday: weekday) { return moment }
            minute += hours.contains(hour) ? 60 : Double(3_600 - (parts.minute ?? 0) * 60)
        }
        return nil
    }

    public func matches(minute: Int, hour: Int, day: Int, month: Int, weekday: Int) -> Bool {
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        let dayMatch = daysOfMonth.contains(day)
        let weekdayMatch = daysOfWeek.contains(weekday % 7)
        switch (restrictsDayOfMonth, restrictsDayOfWeek) {
        case (true, true): return dayMatch || weekdayMatch
        case (true, false): return dayMatch
        case (false, true): return weekdayMatch
        case (false, false): return true
        }
    }

    public var description: String { text }

    private static func parse(_ text: String, _ field: Field) throws(ParseError) -> Set<Int> {
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw ParseError(description: "\(field.name): empty list item in \"\(text)\"") }
            let pieces = item.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            var step = 1
            if pieces.count == 2 {
                guard let parsed = Int(pieces[1]), parsed > 0 else {
                    throw ParseError(description: "\(field.name): step \"\(pieces[1])\" is not a positive number")
                }
                step = parsed
            }
            let base = pieces[0]
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = field.range
            } else if let dash = base.firstIndex(of: "-") {
                let low = try value(base[..<dash], field)
                let high = try value(base[base.index(after: dash)...], field)
                guard low <= high else { throw ParseError(description: "\(field.name): range \(base) runs backwards") }
                bounds = low...high
            } else {
                let single = try value(base, field)
                // `a/n` runs from a to the end of the field, as in cron.
                bounds = pieces.count == 2 ? single...field.range.upperBound : single...single
            }
            for number in stride(from: bounds.lowerBound, through: bounds.upperBound, by: step) { values.insert(number) }
        }
        return values
    }

    private static func value(_ text: Substring, _ field: Field) throws(ParseError) -> Int {
        if let number = Int(text) {
            guard field.range.contains(number) else {
                throw ParseError(
                    description: "\(field.name) \(number) is out of range \(field.range.lowerBound)-\(field.range.upperBound)")
            }
            return number
        }
        if let index = field.names.firstIndex(of: text.lowercased()) { return index + field.namesStart }
        throw ParseError(description: "\(field.name): \"\(text)\" is not a number\(field.names.isEmpty ? "" : " or a name")")
    }
}
