import EvictorEngine
import Foundation
import Testing

/// When a cron expression next fires (UTC), as `serve`'s scheduler asks.
@Suite("cron: the next matching minute")
struct CronScheduleTests {
    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text) ?? .distantPast
    }

    @Test("the next minute after a time, across hours, days, months and years; weekdays and days of month")
    func nextMatch() throws {
        let every15 = try CronExpression(parsing: "*/15 * * * *")
        #expect(every15.nextMatch(after: Self.date("2026-11-30T23:14:59Z")) == Self.date("2026-11-30T23:15:00Z"))
        #expect(every15.nextMatch(after: Self.date("2026-11-30T23:15:00Z")) == Self.date("2026-11-30T23:30:00Z"))
        let nightly = try CronExpression(parsing: "30 3 * * mon-fri")
        // Saturday 5 December 2026: the next weekday is Monday.
        #expect(nightly.nextMatch(after: Self.date("2026-12-05T04:00:00Z")) == Self.date("2026-12-07T03:30:00Z"))
        let newYear = try CronExpression(parsing: "0 0 1 1 *")
        #expect(newYear.nextMatch(after: Self.date("2026-11-30T23:15:00Z")) == Self.date("2027-01-01T00:00:00Z"))
        let leap = try CronExpression(parsing: "0 12 29 2 *")
        #expect(leap.nextMatch(after: Self.date("2026-11-30T00:00:00Z")) == Self.date("2028-02-29T12:00:00Z"))
        let never = try CronExpression(parsing: "0 0 30 2 *")
        #expect(never.nextMatch(after: Self.date("2026-11-30T00:00:00Z")) == nil)
        // Day of month or day of week when both are restricted, as cron does.
        let either = try CronExpression(parsing: "0 6 1 * sun")
        #expect(either.nextMatch(after: Self.date("2026-11-30T07:00:00Z")) == Self.date("2026-12-01T06:00:00Z"))
        #expect(either.nextMatch(after: Self.date("2026-12-01T07:00:00Z")) == Self.date("2026-12-06T06:00:00Z"))
    }
}
