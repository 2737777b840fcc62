-- The Lua half of the `evictor` global every plugin sees (EvictorAPI.install): the spec
-- constructors, in Lua so errors point at the plugin's own line, and the regex objects.
-- Returns run_plugin(chunk), the engine's only way to run a plugin file and learn which
-- constructor made its spec: the kind lives in `kinds`, a local no plugin can reach (a spec
-- carries no field saying what it is, so a plain table cannot pose as one).

local setmetatable, type, error, pairs, ipairs, format = setmetatable, type, error, pairs, ipairs, string.format
local kinds = setmetatable({}, { __mode = "k" })   -- spec table -> "source" | "fixer" | ...

local function constructor(kind, required)
  return function(spec)
    if type(spec) ~= "table" then
      error("evictor." .. kind .. " expects a table", 2)
    end
    if type(spec.name) ~= "string" or spec.name == "" then
      error("evictor." .. kind .. ": 'name' must be a non-empty string", 2)
    end
    for field, expected in pairs(required) do
      if type(spec[field]) ~= expected then
        error(format("evictor.%s '%s': '%s' must be a %s", kind, spec.name, field, expected), 2)
      end
    end
    for _, field in ipairs({ "description", "version" }) do
      if spec[field] ~= nil and type(spec[field]) ~= "string" then
        error(format("evictor.%s '%s': '%s' must be a string", kind, spec.name, field), 2)
      end
    end
    kinds[spec] = kind
    return spec
  end
end
evictor.time.days = function(n) return n * 86400 end
evictor.source = constructor("source", { collect = "function" })
evictor.fixer = constructor("fixer", { check = "function", fix = "function" })
evictor.policy = constructor("policy", { decide = "function" })

-- Compiled-pattern objects over the host functions. A host function run by pcall has
-- pcall (a C function) as its caller, so its error message carries no position; the
-- wrapper raises it at its own caller's line (level 2), like the host function would.
local pcall = pcall
local match, find, check_pattern = evictor.regex.match, evictor.regex.find, evictor.regex.compile
local regex_methods = {}
function regex_methods:match(text)
  local ok, result = pcall(match, self.pattern, text)
  if not ok then error(result, 2) end
  return result
end
function regex_methods:find(text)
  local ok, result = pcall(find, self.pattern, text)
  if not ok then error(result, 2) end
  return result
end
local regex_meta = { __index = regex_methods, __tostring = function(self) return "regex(" .. self.pattern .. ")" end }
function evictor.regex.compile(pattern)
  local ok, message = pcall(check_pattern, pattern)
  if not ok then error(message, 2) end
  return setmetatable({ pattern = pattern }, regex_meta)
end

-- A test file's constructor: `field` names the tested file, relative to the test file.
local function test_constructor(kind, field, what)
  local name = "evictor." .. kind
  return function(spec)
    if type(spec) ~= "table" then error(name .. " expects a table", 2) end
    if type(spec[field]) ~= "string" then
      error(format("%s: '%s' must be the %s file (relative to this file)", name, field, what), 2)
    end
    if type(spec.cases) ~= "table" or #spec.cases == 0 then error(name .. ": 'cases' must be a non-empty list", 2) end
    kinds[spec] = kind
    return spec
  end
end
evictor.policy_test = test_constructor("policy_test", "policy", "policy")
evictor.source_test = test_constructor("source_test", "source", "source")
evictor.fixer_test = test_constructor("fixer_test", "fixer", "fixer")

-- run_plugin(chunk): runs a plugin file's chunk; returns the kind of the spec it returned
-- (nil when no constructor made it) and the spec.
return function(chunk)
  local spec = chunk()
  return kinds[spec], spec
end
