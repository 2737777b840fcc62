import LuaRuntime

/// Entry points for tooling around the scripting API.
public enum EvictorScripting {
    /// Installs the `evictor` API in a VM (for tools and tests that run their own Lua).
    public static func installAPI(in vm: LuaVM, log: @escaping LuaLogHandler = { _, _ in }) throws(LuaError) {
        vm.release(try EvictorAPI.install(in: vm, log: log))
    }

    /// Every function a plugin can call under `evictor`.
    public static func apiFunctionNames() async throws -> Set<String> {
        let engine = try LuaEngine()
        let results = try await engine.withVM { vm in
            vm.release(try EvictorAPI.install(in: vm, log: { _, _ in }))
            return try EngineLua.run("list_functions.lua", in: vm)
        }
        guard case .table(let list)? = results.first else { return [] }
        return Set((list.arrayValues ?? []).compactMap(\.stringValue))
    }
}
