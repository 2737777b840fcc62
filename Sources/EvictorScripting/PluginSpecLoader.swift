import LuaRuntime

/// Loads a plugin (a file or a built-in) into a fresh sandboxed VM with the `evictor` API (and
/// a kind's own Lua runtime: `runtime` names its file in `Lua/`), runs it, and checks it returned the spec of `kind`. Shared by sources, policies
/// and fixers so every kind fails the same way: one error naming the file (and line).
/// `require` in the plugin searches `pluginPath`'s layers (directories, then built-ins).
///
/// The engine's internals stay out of the plugin's reach: the spec's kind is known only to
/// `api.lua`'s locals, and the runtime returns its entry point (kept here, never a global),
/// after receiving its private host functions (`runtimeArguments`) as chunk arguments.
enum PluginSpecLoader {
    /// A plugin loaded into its VM.
    struct Loaded: Sendable {
        var engine: LuaEngine
        var spec: LuaTable
        /// The function the kind's runtime returned (nil without a runtime).
        var runtime: LuaFunctionReference?
    }

    static func load(
        script: PluginScript, kind: String, pluginPath: PluginPath, limits: LuaLimits, log: @escaping LuaLogHandler,
        runtime: String? = nil, runtimeArguments: (@Sendable (LuaVM) -> [LuaValue])? = nil
    ) async throws(ScriptingError) -> Loaded {
        let file = script.displayName
        if let directory = script.pluginDirectory, let repository = try PluginRepository.load(directory: directory) {
            try repository.checkAPI()
        }
        if let overridden = script.overrides {
            log(.warning, "\(file) overrides \(overridden == "built-in" ? "the built-in \(script.relativePath)" : overridden)")
        }
        let engine: LuaEngine
        let results: [LuaValue]
        let entry: LuaFunctionReference?
        do {
            engine = try LuaEngine(limits: limits, sandbox: pluginPath.sandbox, logHandler: log)
            let functions = try await engine.withVM { vm in
                var functions = [try EvictorAPI.install(in: vm, log: log)]
                guard let runtime else { return functions }
                let returned = try EngineLua.run(runtime, in: vm, arguments: runtimeArguments?(vm) ?? [])
                guard case .function(let entry)? = returned.first else { throw LuaError.setupFailed("evictor/\(runtime) returned no entry point") }
                functions.append(entry)
                return functions
            }
            let runPlugin = functions[0]
            entry = functions.count > 1 ? functions[1] : nil
            let chunk = try await script.load(in: engine)
            results = try await engine.call(runPlugin, [.function(chunk)])
            await engine.release(chunk)
            await engine.release(runPlugin)
        } catch let error as LuaError {
            throw .lua(plugin: file, error)
        } catch let error as ScriptingError {
            throw error
        } catch {
            throw .invalidSpec(file: file, reason: "\(error)")
        }
        let specValue = results.count > 1 ? results[1] : .nil
        let madeBy = results.first?.stringValue
        guard case .table(let spec) = specValue, madeBy == kind else {
            let got = madeBy.map { "evictor.\($0)" } ?? (specValue.typeName == "table" ? "a plain table" : "a \(specValue.typeName)")
            throw .invalidSpec(file: file, reason: "must return evictor.\(kind) { ... } (got \(got))")
        }
        switch spec["api"] {
        case .nil: break
        case .integer(let api) where api >= 1:
            guard api <= PluginAPI.version else {
                throw .invalidSpec(file: file, reason: "needs plugin API \(api); this evictor provides API \(PluginAPI.version) (upgrade evictor)")
            }
        default: throw .invalidSpec(file: file, reason: "'api' must be an integer of 1 or more (the plugin API it needs)")
        }
        return Loaded(engine: engine, spec: spec, runtime: entry)
    }
}
