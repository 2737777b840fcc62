/// `state`: where unattended runs keep plans, journals, reports and run records.
public struct StateConfig: Sendable, Equatable {
    public var directory: String
    /// How many of each (plans, journals, reports, run records) are kept; older ones go.
    public var keep: Int

    public static let defaultDirectory = "evictor-state"
    public static let defaultKeep = 30

    public init(directory: String = StateConfig.defaultDirectory, keep: Int = StateConfig.defaultKeep) {
        self.directory = directory
        self.keep = keep
    }
}
