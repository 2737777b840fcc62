-- The sandbox: runs once in every new VM (LuaVM.init) with the full base library, then
-- removes what is not allowed. Arguments: the engine's raise (unused here), the package path,
-- the host log function, the built-in modules table, the searched description, the hint
-- for a module that is not found, and the namespaces (name -> path templates of a plugin
-- repository's lib/: `require("acme.util")` looks only there for acme's modules).

local _, module_path, host_log, builtins, searched, missing_hint, namespaces = ...
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

-- require: text Lua files on the plugin path, then the host's built-in modules, nothing
-- else; a module found nowhere is one line naming what was searched (at the caller's line)
package.path = module_path
package.cpath = ""
package.loadlib = nil
package.searchpath = nil
local function load_module_file(name, file)
  local chunk, loaderr = rawloadfile(file, "t")
  if not chunk then
    error(format("error loading module '%s' from file '%s': %s", name, file, loaderr), 3)
  end
  return chunk, file
end
local function plugin_searcher(name)
  local prefix, rest = tostring(name):match("^([%w_]+)%.(.+)$")
  local templates = prefix and namespaces[prefix]
  if templates then
    local file = searchpath(rest, templates)
    if not file then
      local tried = (templates:gsub("%?", (rest:gsub("%.", "/"))))
      error(format("module '%s' not found (searched %s)", tostring(name), tried), 3)
    end
    return load_module_file(name, file)
  end
  local file = searchpath(name, module_path)
  if file then return load_module_file(name, file) end
  local builtin = builtins[name]
  if builtin then
    local chunk, loaderr = rawload(builtin.source, builtin.chunk, "t")
    if not chunk then
      error(format("error loading built-in module '%s': %s", name, loaderr), 2)
    end
    return chunk, builtin.chunk:sub(2)
  end
  error(format("module '%s' not found (searched %s)%s", tostring(name), searched, missing_hint), 3)
end
package.searchers = { package.searchers[1], plugin_searcher }

-- print: to the host's log
print = function(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
  host_log("info", concat(parts, "\t"))
end
