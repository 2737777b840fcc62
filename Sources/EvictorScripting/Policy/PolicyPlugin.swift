import EvictorCore
import Foundation
import LuaRuntime

/// A loaded retention policy: its validated spec, in its own sandboxed VM (one actor).
public final class PolicyPlugin: Sendable {
    public let name: String
    /// The file as given (shown in every error).
    public let file: String
    public let description: String
    public let options: [PluginOption]
    /// The spec's `example`: a command line using it.
    public let example: String?
    public let defaultVerdict: Verdict
    /// Plans with this policy refuse to run without an inventory.
    public let needsInventory: Bool
    /// The smallest plausible inventory (images); 0 when the policy sets none.
    public let minInventory: Int
    /// sha256 of the file's bytes, recorded in plans.
    public let sha256: String
    let engine: LuaEngine
    let decide: LuaFunctionReference
    /// `file:line` where `decide` is defined.
    let decideLocation: String
    /// The policy runtime's entry point (`policy_prelude.lua`'s run_decide), private to the engine.
    let runDecide: LuaFunctionReference

    private init(
        name: String, file: String, description: String, options: [PluginOption], example: String?, defaultVerdict: Verdict,
        needsInventory: Bool,
        minInventory: Int, sha256: String, engine: LuaEngine, decide: LuaFunctionReference, decideLocation: String,
        runDecide: LuaFunctionReference
    ) {
        self.name = name
        self.file = file
        self.description = description
        self.options = options
        self.example = example
        self.defaultVerdict = defaultVerdict
        self.needsInventory = needsInventory
        self.minInventory = minInventory
        self.sha256 = sha256
        self.engine = engine
        self.decide = decide
        self.decideLocation = decideLocation
        self.runDecide = runDecide
    }

    /// Policies are pure functions of the repository: a tight budget per repository.
    public static let defaultLimits = LuaLimits(memoryBytes: 256 << 20, instructionsPerCall: 200_000_000, secondsPerCall: 20)

    /// Loads and validates a policy file. Every problem is one error naming the file (and line).
    public static func load(file: String, pluginPath: PluginPath, limits: LuaLimits = PolicyPlugin.defaultLimits, log: @escaping LuaLogHandler)
        async throws(ScriptingError) -> PolicyPlugin
    {
        guard FileManager.default.fileExists(atPath: file) else { throw .invalidSpec(file: file, reason: "no such policy file") }
        return try await load(script: PluginScript(file: file), pluginPath: pluginPath, limits: limits, log: log)
    }

    /// Loads the policy `reference` names: an existing file, else a policy name (`in-use`,
    /// `in-use.lua`) looked up as `policies/NAME.lua` on the plugin path (its directories,
    /// then the built-ins). See `PolicyReference`.
    public static func load(
        named reference: String, pluginPath: PluginPath, limits: LuaLimits = PolicyPlugin.defaultLimits, log: @escaping LuaLogHandler
    ) async throws(ScriptingError) -> PolicyPlugin {
        try await load(script: PolicyReference.resolve(reference, pluginPath: pluginPath), pluginPath: pluginPath, limits: limits, log: log)
    }

    /// Loads and validates a policy (a file or a built-in; `file` is then its `displayName`).
    public static func load(
        script: PluginScript, pluginPath: PluginPath, limits: LuaLimits = PolicyPlugin.defaultLimits, log: @escaping LuaLogHandler
    ) async throws(ScriptingError) -> PolicyPlugin {
        let file = script.displayName
        let bytes: [UInt8]
        do {
            bytes = try script.bytes()
        } catch {
            throw .invalidSpec(file: file, reason: "cannot read the policy file")
        }
        let loaded = try await PluginSpecLoader.load(
            script: script, kind: "policy", pluginPath: pluginPath, limits: limits, log: log, runtime: "policy_prelude.lua")
        let (engine, spec) = (loaded.engine, loaded.spec)
        guard case .function(let decide) = spec["decide"], let name = spec["name"].stringValue, let runDecide = loaded.runtime else {
            throw .invalidSpec(file: file, reason: "evictor.policy needs a name and a decide function")
        }
        let defaultVerdict: Verdict
        switch spec["default"] {
        case .nil: defaultVerdict = .keep
        case let value:
            guard let text = value.stringValue, let verdict = Verdict(rawValue: text) else {
                throw .invalidSpec(file: file, reason: "policy \(name): 'default' must be \"keep\" or \"delete\"")
            }
            defaultVerdict = verdict
        }
        let needsInventory: Bool
        switch spec["needs_inventory"] {
        case .nil: needsInventory = false
        case .boolean(let flag): needsInventory = flag
        default: throw .invalidSpec(file: file, reason: "policy \(name): 'needs_inventory' must be true or false")
        }
        var minInventory = 0
        if spec["min_inventory"] != .nil {
            guard let number = spec["min_inventory"].doubleValue, number >= 0, number < 1e9 else {
                throw .invalidSpec(file: file, reason: "policy \(name): 'min_inventory' must be a non-negative number")
            }
            minInventory = Int(number)
        }
        let location = await engine.withVM { vm in vm.location(of: decide) }
        return PolicyPlugin(
            name: name, file: file, description: spec["description"].stringValue ?? "",
            options: try PluginOption.parseDeclarations(spec["options"], file: file), example: spec["example"].stringValue,
            defaultVerdict: defaultVerdict,
            needsInventory: needsInventory, minInventory: minInventory,
            sha256: Digest.sha256(of: bytes).hex,
            engine: engine, decide: decide, decideLocation: location, runDecide: runDecide
        )
    }

    /// The `ctx.options` table: defaults, then `KEY=VALUE` settings converted to their types.
    public func resolveOptions(settings: [(String, String)]) throws(ScriptingError) -> LuaValue {
        try PluginOption.resolve(options, owner: "policy \(name)", settings: settings)
    }
}
