import LuaRuntime

/// Loads a plugin (a file or a built-in) into a fresh sandboxed VM with the `evictor` API (and
/// a kind's own Lua runtime: `runtime` names its file in `Lua/`), runs it, and checks it returned the spec of `kind`. Shared by sources, policies
/// and fixers so every kind fails the same way: one error naming the file (and line).
/// `require` in the plugin searches `pluginPath`'s layers (directories, then built-ins).
enum PluginSpecLoader {
    static func load(
        script: PluginScript, kind: String, pluginPath: PluginPath, limits: LuaLimits, log: @escaping LuaLogHandler,
        runtime: String? = nil, setUp: (@Sendable (LuaVM) -> Void)? = nil
    ) async throws(ScriptingError) -> (LuaEngine, LuaTable) {
        let file = script.displayName
        let engine: LuaEngine
        let specValue: LuaValue
        do {
            engine = try LuaEngine(limits: limits, sandbox: pluginPath.sandbox, logHandler: log)
            try await engine.withVM { vm in
                try EvictorAPI.install(in: vm, log: log)
                setUp?(vm)
                if let runtime {
                    _ = try EngineLua.run(runtime, in: vm)
                }
            }
            let chunk = try await script.load(in: engine)
            specValue = try await engine.call(chunk).first ?? .nil
        } catch let error as LuaError {
            throw .lua(plugin: file, error)
        } catch let error as ScriptingError {
            throw error
        } catch {
            throw .invalidSpec(file: file, reason: "\(error)")
        }
        guard case .table(let spec) = specValue, spec["__kind"].stringValue == kind else {
            throw .invalidSpec(file: file, reason: "must return evictor.\(kind) { ... } (got a \(specValue.typeName))")
        }
        return (engine, spec)
    }
}
