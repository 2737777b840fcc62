/// What Lua code in a VM may reach.
///
/// Every VM gets base (without `dofile`/`loadfile`; `load` takes text only), string (without
/// `dump`), table, math, utf8, coroutine, and `os.time/clock/date/difftime`. Never `io`,
/// `debug`, `os.execute`, C modules or binary chunks. `require` finds Lua files on
/// `modulePaths` only; `print` goes to the VM's log handler.
public struct LuaSandbox: Sendable, Equatable {
    /// Directories `require("a.b")` searches as `DIR/a/b.lua` and `DIR/a/b/init.lua`.
    public var modulePaths: [String]

    /// A sandbox whose `require` searches `modulePaths`.
    public init(modulePaths: [String] = []) {
        self.modulePaths = modulePaths
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

    /// Runs once in every new VM with the full base library, then removes what is not allowed.
    /// Arguments: the package path and the host log function.
    static let prelude = #"""
    local module_path, host_log = ...
    local rawload, rawloadfile, searchpath = load, loadfile, package.searchpath
    local select, tostring, concat, format = select, tostring, table.concat, string.format

    -- load: text chunks only (a binary chunk can crash the VM)
    load = function(chunk, chunkname, mode, ...)
      return rawload(chunk, chunkname, "t", ...)
    end
    dofile, loadfile = nil, nil
    string.dump = nil

    -- __gc finalizers run with hooks off, beyond any budget: refuse them
    local rawsetmetatable, rawget, type = setmetatable, rawget, type
    setmetatable = function(t, mt)
      if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
        error("__gc metamethods are not allowed in the sandbox", 2)
      end
      return rawsetmetatable(t, mt)
    end

    -- os: clock and calendar only
    local safe_os = { time = os.time, clock = os.clock, date = os.date, difftime = os.difftime }
    os = safe_os
    package.loaded.os = safe_os

    -- require: text Lua files on the plugin path, nothing else
    package.path = module_path
    package.cpath = ""
    package.loadlib = nil
    package.searchpath = nil
    local function plugin_searcher(name)
      local file, err = searchpath(name, module_path)
      if not file then return err end
      local chunk, loaderr = rawloadfile(file, "t")
      if not chunk then
        error(format("error loading module '%s' from file '%s':\n\t%s", name, file, loaderr), 2)
      end
      return chunk, file
    end
    package.searchers = { package.searchers[1], plugin_searcher }

    -- print: to the host's log
    print = function(...)
      local parts = {}
      for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
      host_log("info", concat(parts, "\t"))
    end
    """#
}
