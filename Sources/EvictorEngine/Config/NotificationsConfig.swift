/// A registry's `notifications`: how `serve` receives the registry's own events (pushes, pulls,
/// deletes) at `POST /api/v1/registries/NAME/events`.
public struct NotificationsConfig: Sendable, Equatable {
    /// The secret the registry sends as `Authorization: Bearer TOKEN` (its endpoint's
    /// `headers`); only through `${VAR}`.
    public var token: String
    /// Days of per-day pull counts kept (default 90).
    public var windowDays: Int

    public static let defaultWindowDays = 90

    public init(token: String, windowDays: Int = NotificationsConfig.defaultWindowDays) {
        self.token = token
        self.windowDays = windowDays
    }
}
