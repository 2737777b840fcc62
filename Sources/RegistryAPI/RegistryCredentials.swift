/// A user name with a password, or an identity (refresh) token. Never printed.
public struct RegistryCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var username: String
    public var password: String
    /// An OAuth2 refresh token (Docker's `identitytoken`), used instead of the password.
    public var identityToken: String?
    /// Where the credentials came from, for messages ("--username", "EVICTOR_USERNAME", ...).
    public var source: String

    public init(username: String, password: String, identityToken: String? = nil, source: String) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
        self.source = source
    }

    public var description: String { "user '\(username)' (from \(source))" }
    public var debugDescription: String { description }
}
