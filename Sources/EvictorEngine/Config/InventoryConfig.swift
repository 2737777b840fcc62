/// `inventory`: the sources that say which images are in use, and where their result lives.
public struct InventoryConfig: Sendable, Equatable {
    public var sources: [InventorySourceConfig]
    /// Where `images.json` is written and read (nil: decided by the command).
    public var file: String?
    /// An inventory older than this is collected again before it is used (nil: any age).
    public var maxAge: ConfigDuration?
}
