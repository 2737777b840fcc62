import LuaRuntime

/// EvictorScripting's own Lua, the files of `Sources/EvictorScripting/Lua/` (`api.lua`,
/// `policy_prelude.lua`, `fixer_prelude.lua`, `list_functions.lua`), compiled in at build time
/// by the `EmbedBuiltInPlugins` build-tool plugin (`files` is generated), so a copied binary
/// needs no files beside it. Errors name them `evictor/NAME`.
enum EngineLua {
    /// The text of `Lua/NAME`; a name that is not there is a build mistake.
    static func source(_ name: String) -> String {
        guard let text = files[name] else { preconditionFailure("no engine Lua file \(name) in Sources/EvictorScripting/Lua") }
        return text
    }

    /// Runs `Lua/NAME` in `vm` as an engine chunk (`LuaVM.runEngineChunk`: it gets `raise`
    /// first, then `arguments`); returns its results.
    static func run(_ name: String, in vm: LuaVM, arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        try vm.runEngineChunk(named: name, source: source(name), arguments: arguments)
    }
}
