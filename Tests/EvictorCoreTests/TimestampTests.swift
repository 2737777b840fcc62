import Foundation
import Testing
@testable import EvictorCore

@Suite("RFC 3339 timestamps")
struct TimestampTests {
    @Test("the direct reading gives Foundation's time for every form registries write, fractions and offsets included")
    func sameAsFoundation() {
        var random = SystemRandomNumberGenerator()
        var compared = 0
        for _ in 0..<20_000 {
            let year = Bool.random(using: &random) ? Int.random(in: 1900...2100, using: &random) : Int.random(in: 1...9999, using: &random)
            let month = Int.random(in: 1...12, using: &random)
            let day = Int.random(in: 1...31, using: &random)
            var text = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day,
                Int.random(in: 0...23, using: &random), Int.random(in: 0...59, using: &random), Int.random(in: 0...59, using: &random))
            let digits = Int.random(in: 0...9, using: &random)
            if digits > 0 { text += "." + String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &random))) }) }
            if Bool.random(using: &random) {
                text += "Z"
            } else {
                text += String(
                    format: "%@%02d:%02d", Bool.random(using: &random) ? "+" : "-", Int.random(in: 0...14, using: &random),
                    [0, 30, 45].randomElement(using: &random) ?? 0)
            }
            let parsed = Timestamp.parse(text)
            let formatter = Timestamp.parseWithFormatter(text)
            #expect((parsed == nil) == (formatter == nil), "\(text): \(String(describing: parsed)) vs \(String(describing: formatter))")
            if let parsed, let formatter {
                // Far from 2001 a Date (a Double of seconds since then) keeps about 10 µs.
                #expect(abs(parsed.timeIntervalSince(formatter)) < 1e-4, "\(text): \(parsed) vs \(formatter)")
            }
            if Timestamp.parseCommonForm(text) != nil { compared += 1 }
        }
        // Most took the direct path (the rest: years before 1900, days past the month's end).
        #expect(compared > 8_000)
    }

    @Test("known instants; malformed text is nil; other ISO 8601 forms still go through Foundation")
    func knownAndMalformed() {
        #expect(Timestamp.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(Timestamp.parse("2024-02-29T23:59:59.5+01:00") == Date(timeIntervalSince1970: 1_709_247_599.5))
        #expect(Timestamp.parse("2023-11-14T22:13:20.123456789Z")?.timeIntervalSince1970 == 1_700_000_000.123456789)
        for odd in [
            "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00.1234567890Z", "2024-01-01T00:00:00+0100", "2024-01-01T00:00:00Zjunk",
        ] {
            #expect(Timestamp.parseCommonForm(odd) == nil, "\(odd)")
            #expect(Timestamp.parse(odd) == Timestamp.parseWithFormatter(odd), "\(odd)")
        }
        for bad in ["", "not a time", "yesterday at noon", "2024-01-01T00:00:00.Z"] {
            #expect(Timestamp.parse(bad) == nil, "\(bad)")
        }
        #expect(Timestamp.parse("2024-01-01t00:00:00z") == Timestamp.parseWithFormatter("2024-01-01t00:00:00z"))
    }
}
