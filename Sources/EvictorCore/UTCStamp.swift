import Foundation

/// `20261122T190849Z`: the UTC time stamp that names report directories, quarantine sessions
/// and default journals, so they sort by time.
public enum UTCStamp {
    public static func string(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
