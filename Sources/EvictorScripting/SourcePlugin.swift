import EvictorCore
import Foundation
import LuaRuntime

/// A loaded inventory source: its spec, read from `sources/NAME.lua`, in its own sandboxed VM.
public final class SourcePlugin: Sendable {
    public let name: String
    public let file: String
    public let version: String
    public let description: String
    public let options: [PluginOption]
    /// The option that receives `--source NAME:ARG`.
    public let argumentOption: String?
    public let capabilities: SourceCapabilities
    let engine: LuaEngine
    let collect: LuaFunctionReference

    private init(
        name: String, file: String, version: String, description: String, options: [PluginOption],
        argumentOption: String?, capabilities: SourceCapabilities, engine: LuaEngine, collect: LuaFunctionReference
    ) {
        self.name = name
        self.file = file
        self.version = version
        self.description = description
        self.options = options
        self.argumentOption = argumentOption
        self.capabilities = capabilities
        self.engine = engine
        self.collect = collect
    }

    /// Loads and validates a source file.
    public static func load(file: String, pluginPath: PluginPath, limits: LuaLimits = SourcePlugin.defaultLimits, log: @escaping LuaLogHandler)
        async throws(ScriptingError) -> SourcePlugin
    {
        try await load(script: PluginScript(file: file), pluginPath: pluginPath, limits: limits, log: log)
    }

    /// Loads and validates a source (a file or a built-in); `file` is then its `displayName`.
    public static func load(
        script: PluginScript, pluginPath: PluginPath, limits: LuaLimits = SourcePlugin.defaultLimits, log: @escaping LuaLogHandler
    ) async throws(ScriptingError) -> SourcePlugin {
        let display = script.displayName
        let file = display
        let loaded = try await PluginSpecLoader.load(script: script, kind: "source", pluginPath: pluginPath, limits: limits, log: log)
        let (engine, spec) = (loaded.engine, loaded.spec)
        guard case .function(let collect) = spec["collect"], let name = spec["name"].stringValue else {
            throw .invalidSpec(file: display, reason: "evictor.source needs a name and a collect function")
        }
        let options = try PluginOption.parseDeclarations(spec["options"], file: display)
        let argument = spec["argument"].stringValue
        if let argument, !options.contains(where: { $0.name == argument }) {
            throw .invalidSpec(file: display, reason: "'argument' names '\(argument)', which is not among the options")
        }
        return SourcePlugin(
            name: name, file: file, version: spec["version"].stringValue ?? "", description: spec["description"].stringValue ?? "",
            options: options, argumentOption: argument,
            capabilities: try SourceCapabilities(from: spec["capabilities"], file: display), engine: engine, collect: collect
        )
    }

    /// Sources may wait on commands (kubectl), so they get a generous clock but the usual memory cap.
    public static let defaultLimits = LuaLimits(memoryBytes: 512 << 20, instructionsPerCall: 5_000_000_000, secondsPerCall: 600)

    // MARK: - Options

    /// The `opts` table for `collect`: defaults, then `ARG`, then `KEY=VALUE` settings, typed.
    public func resolveOptions(argument: String?, settings: [(String, String)]) throws(ScriptingError) -> LuaValue {
        var given = settings
        if let argument {
            guard let target = argumentOption else {
                throw .invalidOption("source \(name) takes no argument (use --option \(name).KEY=VALUE)")
            }
            given.insert((target, argument), at: 0)
        }
        return try PluginOption.resolve(options, owner: "source \(name)", settings: given)
    }

    /// The same from typed values (a test case's `options` and `argument`).
    func resolveOptions(argument: String?, values: LuaTable) throws(ScriptingError) -> LuaValue {
        var given = values
        if let argument {
            guard let target = argumentOption else { throw .invalidOption("source \(name) takes no argument") }
            given[target] = .string(LuaString(argument))
        }
        return try PluginOption.resolve(options, owner: "source \(name)", values: given)
    }
}
