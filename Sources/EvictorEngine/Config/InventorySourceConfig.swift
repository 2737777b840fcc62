/// One inventory source: a plugin by name (`k8s`, `compose`, `static`) or a Lua file.
public struct InventorySourceConfig: Sendable, Equatable {
    /// `name` or `file`, exactly one.
    public enum Plugin: Sendable, Equatable {
        case name(String)
        case file(String)
    }

    public var plugin: Plugin
    /// The source's argument (`--source NAME:ARGUMENT`).
    public var argument: String?
    /// The source's options as written.
    public var options: [String: ConfigValue]
}
