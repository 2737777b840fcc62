/// One entry of a registry's `policies`.
public struct PolicyConfig: Sendable, Equatable {
    /// A built-in or plugin-path policy name (`in-use`) or a `.lua` file, as `--policy` takes.
    public var policy: String
    /// The policy's options as written; the policy validates them when it is loaded.
    public var options: [String: ConfigValue]
    /// A regular expression: the policy applies to repositories it matches (nil: all).
    public var repositories: String?
}
