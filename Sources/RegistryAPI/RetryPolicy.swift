import Foundation

/// Exponential backoff with full jitter, honouring `Retry-After`.
struct RetryPolicy: Sendable {
    var maxAttempts: Int
    var initialBackoff: Double
    var maxBackoff: Double

    /// Statuses worth another try: rate limiting, gateways and the registry's own 500, which a
    /// storage backend's hiccup causes as often as a lasting fault (that one is reported after
    /// the last attempt).
    static func isRetryable(status: UInt) -> Bool {
        status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }

    /// Seconds to wait before attempt `attempt + 1` (attempt counts from 1).
    func delay(afterAttempt attempt: Int, retryAfter: String?) -> Double {
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter, now: Date()) {
            return min(max(0, seconds), maxBackoff * 6)
        }
        let ceiling = min(maxBackoff, initialBackoff * pow(2, Double(attempt - 1)))
        return Double.random(in: (ceiling / 2)...max(ceiling / 2, ceiling))
    }

    /// `Retry-After` as delay seconds or an HTTP date.
    static func parseRetryAfter(_ value: String, now: Date) -> Double? {
        let trimmed = value.trimmingSpaces()
        if let seconds = Double(trimmed) { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return date.timeIntervalSince(now)
    }
}
