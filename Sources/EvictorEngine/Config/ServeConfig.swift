/// `serve`: how `evictor serve` listens, guards its endpoints and keeps its history.
public struct ServeConfig: Sendable, Equatable {
    /// `host:port` to bind (default `127.0.0.1:8080`: this machine only).
    public var listen: String
    /// The bearer token every endpoint but the health checks requires (nil: none); only
    /// through `${VAR}`, never written into the file.
    public var token: String?
    /// The variable `token` comes from (for messages that must not show the token).
    public var tokenVariable: String?
    /// How many runs the history keeps (default 1000); older ones are pruned.
    public var historyKeep: Int

    public static let defaultListen = "127.0.0.1:8080"
    public static let defaultHistoryKeep = 1000

    public init(
        listen: String = ServeConfig.defaultListen, token: String? = nil, tokenVariable: String? = nil,
        historyKeep: Int = ServeConfig.defaultHistoryKeep
    ) {
        self.listen = listen
        self.token = token
        self.tokenVariable = tokenVariable
        self.historyKeep = historyKeep
    }
}
