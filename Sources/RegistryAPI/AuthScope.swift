/// The access a request needs, as a token scope (`repository:NAME:pull,delete`).
public struct AuthScope: Sendable, Hashable, CustomStringConvertible {
    /// The scope string sent to the token service; empty for requests that need none (`/v2/`).
    public let value: String

    public init(_ value: String) { self.value = value }

    /// No scope: the base `/v2/` check.
    public static let none = AuthScope("")
    /// The catalog needs the `*` action on Distribution.
    public static let catalog = AuthScope("registry:catalog:*")
    /// Reading manifests, tags and blobs.
    public static func pull(_ repository: String) -> AuthScope { AuthScope("repository:\(repository):pull") }
    /// Deleting manifests: a delete-only token cannot HEAD, so pull comes with it.
    public static func delete(_ repository: String) -> AuthScope { AuthScope("repository:\(repository):pull,delete") }
    /// Uploading blobs and manifests (restore, tests).
    public static func push(_ repository: String) -> AuthScope { AuthScope("repository:\(repository):pull,push") }

    public var description: String { value }
}
