/// `safety`: the rails every plan passes, whatever the policy says.
public struct SafetyConfig: Sendable, Equatable {
    /// A plan deleting more than this share of a registry's tags is refused (default 50).
    public var maxDeletePercent: Double
    /// Fewer inventory images than this refuses to plan (nil: the policy's own minimum).
    public var minInventory: Int?

    public static let defaultMaxDeletePercent: Double = 50

    public init(maxDeletePercent: Double = SafetyConfig.defaultMaxDeletePercent, minInventory: Int? = nil) {
        self.maxDeletePercent = maxDeletePercent
        self.minInventory = minInventory
    }
}
