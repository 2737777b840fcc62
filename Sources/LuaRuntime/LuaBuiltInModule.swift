/// A Lua module compiled into the host, which `require` finds when no directory on the
/// sandbox's module path has it (a file on the path overrides it).
public struct LuaBuiltInModule: Sendable, Equatable {
    /// The name `require` takes, e.g. `lib.retention`.
    public var name: String
    /// How errors name the module's code, e.g. `built-in:lib/retention.lua`.
    public var displayName: String
    /// The module's Lua text.
    public var source: String

    /// A built-in module `name` with its text; errors name it `displayName`.
    public init(name: String, displayName: String, source: String) {
        self.name = name
        self.displayName = displayName
        self.source = source
    }
}
