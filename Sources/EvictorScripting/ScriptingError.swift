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

extension LuaError {
    /// Names the plugin instead of the engine for a misuse error the engine's Lua raised.
    ///
    /// The engine's methods (`tag:keep`, `store:findings`, `actions:drop_tag`, ...) raise at
    /// the plugin's calling line, unless the plugin called them in tail position
    /// (`return store:findings(5)`): Lua then drops the plugin's frame, and the only line left
    /// is the engine's own (`evictor:NN`). Such an error, when it is about one of `methods`
    /// (message prefixes such as `"store:"`), names `location` instead: where the plugin's
    /// function is defined. Any other error is returned unchanged.
    func placingEngineMisuse(of methods: [String], at location: String) -> LuaError {
        guard case .runtime(let message, let traceback) = self, message.hasPrefix(Self.engineChunk) else { return self }
        let afterName = message.dropFirst(Self.engineChunk.count)
        let rest = afterName.drop { $0.isASCII && $0.isNumber }
        guard rest.count < afterName.count, rest.hasPrefix(": "), methods.contains(where: { rest.dropFirst(2).hasPrefix($0) }) else {
            return self
        }
        return .runtime(message: location + rest, traceback: traceback)
    }

    /// How positions in the engine's own Lua chunks (`=evictor`) begin.
    static let engineChunk = "evictor:"
}
