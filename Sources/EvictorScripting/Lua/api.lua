-- The Lua half of the `evictor` global every plugin sees (EvictorAPI.install): the spec
-- constructors, in Lua so errors point at the plugin's own line, and the regex objects.

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
        error(string.format("evictor.%s '%s': '%s' must be a %s", kind, spec.name, field, expected), 2)
      end
    end
    for _, field in ipairs({ "description", "version" }) do
      if spec[field] ~= nil and type(spec[field]) ~= "string" then
        error(string.format("evictor.%s '%s': '%s' must be a string", kind, spec.name, field), 2)
      end
    end
    spec.__kind = kind
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
local pcall, error = pcall, error
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

function evictor.policy_test(spec)
  if type(spec) ~= "table" then error("evictor.policy_test expects a table", 2) end
  if type(spec.policy) ~= "string" then error("evictor.policy_test: 'policy' must be the policy file (relative to this file)", 2) end
  if type(spec.cases) ~= "table" or #spec.cases == 0 then error("evictor.policy_test: 'cases' must be a non-empty list", 2) end
  spec.__kind = "policy_test"
  return spec
end
