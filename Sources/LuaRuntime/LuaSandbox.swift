/// What Lua code in a VM may reach.
///
/// Every VM gets base (without `dofile`/`loadfile`; `load` takes text only), string (without
/// `dump`), table, math, utf8, coroutine, and `os.time/clock/date/difftime`. Never `io`,
/// `debug`, `os.execute`, C modules or binary chunks. `require` finds Lua files on
/// `modulePaths`, then `builtInModules`, nothing else; `print` goes to the VM's log handler.
public struct LuaSandbox: Sendable, Equatable {
    /// Directories `require("a.b")` searches as `DIR/a/b.lua` and `DIR/a/b/init.lua`, in order.
    public var modulePaths: [String]
    /// Modules `require` finds when no directory on `modulePaths` has them.
    public var builtInModules: [LuaBuiltInModule]
    /// Added to the one-line error of a `require` that finds nothing (e.g. how to add directories).
    public var missingModuleHint: String
    /// Module namespaces: `require("acme.util")` finds `DIR/util.lua` (or `DIR/util/init.lua`)
    /// for `namespaces["acme"] == DIR`, before anything else; a namespace is searched nowhere else.
    public var namespaces: [String: String]

    /// A sandbox whose `require` searches `namespaces`, then `modulePaths`, then `builtInModules`.
    public init(
        modulePaths: [String] = [], builtInModules: [LuaBuiltInModule] = [], missingModuleHint: String = "", namespaces: [String: String] = [:]
    ) {
        self.modulePaths = modulePaths
        self.builtInModules = builtInModules
        self.missingModuleHint = missingModuleHint
        self.namespaces = namespaces
    }

    /// The namespaces as `Lua/sandbox.lua` takes them: name -> `package.path`-style templates.
    func namespaceTable() throws(LuaError) -> LuaTable {
        var table = LuaTable()
        for (name, directory) in namespaces {
            if directory.contains(";") || directory.contains("?") {
                throw .setupFailed("plugin path '\(directory)' may not contain ';' or '?'")
            }
            table[name] = .string(LuaString("\(directory)/?.lua;\(directory)/?/init.lua"))
        }
        return table
    }

    /// What `require` searches, in order, as its not-found error names it: each directory,
    /// then `built-in` when there are built-in modules.
    public var searchedDescription: String {
        let layers = modulePaths + (builtInModules.isEmpty ? [] : ["built-in"])
        return layers.isEmpty ? "nothing: no plugin path" : layers.joined(separator: ", ")
    }

    /// The built-in modules as `Lua/sandbox.lua` takes them: name -> { source, chunk name }.
    func builtInTable() -> LuaTable {
        var table = LuaTable()
        for module in builtInModules.reversed() {
            table[module.name] = .table(
                LuaTable(fields: [
                    "source": .string(LuaString(module.source)), "chunk": .string(LuaString("@" + module.displayName)),
                ]))
        }
        return table
    }

    /// The `package.path` string for `modulePaths`.
    func packagePath() throws(LuaError) -> String {
        var parts: [String] = []
        for directory in modulePaths {
            if directory.contains(";") || directory.contains("?") {
                throw .setupFailed("plugin path '\(directory)' may not contain ';' or '?'")
            }
            let trimmed = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
            parts.append("\(trimmed)/?.lua")
            parts.append("\(trimmed)/?/init.lua")
        }
        return parts.joined(separator: ";")
    }
}
