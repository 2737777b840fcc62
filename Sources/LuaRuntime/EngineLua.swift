/// LuaRuntime's own Lua, the files of `Sources/LuaRuntime/Lua/` (`sandbox.lua`), compiled in
/// at build time by the `EmbedBuiltInPlugins` build-tool plugin (`files` is generated), so a
/// copied binary needs no files beside it. Each runs through `LuaVM.runEngineChunk`, so errors
/// name it `evictor/NAME`.
enum EngineLua {
    /// The text of `Lua/NAME`; a name that is not there is a build mistake.
    static func source(_ name: String) -> String {
        guard let text = files[name] else { preconditionFailure("no engine Lua file \(name) in Sources/LuaRuntime/Lua") }
        return text
    }
}
