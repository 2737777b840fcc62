import LuaRuntime

extension EvictorAPI {
    /// Dotted names of every function under `evictor` in a fresh plugin VM (for the type
    /// definitions' test and for documentation).
    static let listFunctions = #"""
    local names = {}
    local function walk(prefix, t, depth)
      for key, value in pairs(t) do
        if type(key) == "string" and key:sub(1, 2) ~= "__" then
          if type(value) == "function" then names[#names + 1] = prefix .. key
          elseif type(value) == "table" and depth < 4 then walk(prefix .. key .. ".", value, depth + 1) end
        end
      end
    end
    walk("evictor.", evictor, 0)
    table.sort(names)
    return names
    """#
}

/// Entry points for tooling around the scripting API.
public enum EvictorScripting {
    /// Installs the `evictor` API in a VM (for tools and tests that run their own Lua).
    public static func installAPI(in vm: LuaVM, log: @escaping LuaLogHandler = { _, _ in }) throws(LuaError) {
        try EvictorAPI.install(in: vm, log: log)
    }

    /// Every function a plugin can call under `evictor`.
    public static func apiFunctionNames() async throws -> Set<String> {
        let engine = try LuaEngine()
        let results = try await engine.withVM { vm in
            try EvictorAPI.install(in: vm, log: { _, _ in })
            return try vm.runEngineChunk(named: "list_functions.lua", source: EvictorAPI.listFunctions)
        }
        guard case .table(let list)? = results.first else { return [] }
        return Set((list.arrayValues ?? []).compactMap(\.stringValue))
    }
}
