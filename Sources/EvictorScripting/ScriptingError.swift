import LuaRuntime

/// Errors loading and running plugins, each one line naming the plugin (and file:line).
public enum ScriptingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Lua code itself failed (syntax, runtime, limits).
    case lua(plugin: String, LuaError)
    /// A plugin file returned something that is not the spec it should be.
    case invalidSpec(file: String, reason: String)
    /// No plugin of that kind and name on the plugin path; `searched` are its layers in
    /// lookup order (`PluginPath.searched`).
    case notFound(kind: String, name: String, searched: [String])
    /// A source ran but its result is unusable.
    case invalidResult(source: String, reason: String)
    /// A source failed on purpose or through a host capability.
    case sourceFailed(source: String, reason: String)
    /// A policy's `decide` failed on a repository (its error names file and line).
    case policyFailed(file: String, repository: String, reason: String)
    /// A bad `--option`/`--source` argument.
    case invalidOption(String)

    public var description: String {
        switch self {
        case .lua(let plugin, let error):
            let text = error.description
            return text.hasPrefix(plugin) ? text : "\(plugin): \(text)"
        case .invalidSpec(let file, let reason):
            return "\(file): \(reason)"
        case .notFound(let kind, let name, let searched):
            let layers = searched.isEmpty ? "nothing" : searched.joined(separator: ", ")
            return "no \(kind) named '\(name)' (searched \(layers)); \(PluginPath.addDirectoriesHint)"
        case .invalidResult(let source, let reason):
            return "source \(source): invalid result: \(reason)"
        case .sourceFailed(let source, let reason):
            return "source \(source) failed: \(reason)"
        case .policyFailed(let file, let repository, let reason):
            let located = reason.hasPrefix(file) ? reason : "\(file): \(reason)"
            return "policy failed on repository \(repository): \(located)"
        case .invalidOption(let text):
            return text
        }
    }
}
