-- The Lua side of running a policy (PolicyRunner): turns the plain repository data into
-- objects with `keep`/`delete` methods, calls `decide`, and hands back only the marks. Run
-- once per policy VM, before the policy file, so argument errors point at the policy's own
-- line. It returns its entry point (run_decide) to the engine instead of publishing it, and
-- keeps every standard function it uses in a local: a policy can neither reach the engine's
-- side nor break it by replacing a global (`ipairs`, `type`, `error`, `math.floor`...).

-- raise(message, fallback): the error at the policy's calling line, or at fallback (where
-- decide is defined) when a tail call dropped the policy's frame (LuaVM.runEngineChunk).
local raise = ...
local G = _G
local pairs, ipairs, type, error, rawget, rawset, setmetatable, tostring = pairs, ipairs, type, error, rawget, rawset, setmetatable, tostring
local format, pack, floor, randomseed = string.format, table.pack, math.floor, math.randomseed

-- One clock per plan: os.time(), evictor.time.now() and ctx.now agree while decide runs (so a
-- plan, and a policy test's `now`, is reproducible), and math.random is seeded from it.
-- Installed before the policy file loads, so a policy that keeps `os.time` in a local gets it too.
local clock = nil
local system_time, system_now = os.time, evictor.time.now
os.time = function(t)
  if t == nil and clock ~= nil then return floor(clock) end
  return system_time(t)
end
evictor.time.now = function()
  if clock ~= nil then return clock end
  return system_now()
end

-- Every repository's decide starts from the globals the policy had once it was loaded: a
-- stray global (a counter, a cache) set for one repository is gone for the next, and a
-- standard name a decide replaced is put back. Taken at the first decide, after the file ran.
local baseline = nil
local function reset_globals()
  if baseline == nil then
    baseline = {}
    for name, value in pairs(G) do baseline[name] = value end
    return
  end
  for name in pairs(G) do
    if baseline[name] == nil then G[name] = nil end
  end
  for name, value in pairs(baseline) do
    if rawget(G, name) ~= value then rawset(G, name, value) end
  end
end

-- where: "file:line" of decide.
local function check_reason(reason, method, where)
  if type(reason) ~= "string" or reason == "" then
    raise(method .. ": the reason must be a non-empty string (got " .. type(reason) .. ")", where)
  end
end

local function run_decide(decide, where, data, ctx)
  local marks = { tags = {}, untagged = {} }
  local identity = {}   -- object -> its tag name or manifest digest; immune to policy edits

  local function mark(kind, object, verdict, reason, method)
    local key = identity[object]
    if key == nil then
      raise(method .. ": call it with a colon on a tag or manifest of this repository, e.g. tag:" .. verdict .. "(\"reason\")", where)
    end
    check_reason(reason, method, where)
    local list = marks[kind][key]
    if list == nil then list = {}; marks[kind][key] = list end
    list[#list + 1] = { verdict, reason }
  end

  local tag_methods = {
    keep = function(self, reason) mark("tags", self, "keep", reason, "tag:keep") end,
    delete = function(self, reason) mark("tags", self, "delete", reason, "tag:delete") end,
  }
  local manifest_methods = {
    keep = function(self, reason) mark("untagged", self, "keep", reason, "manifest:keep") end,
    delete = function(self, reason) mark("untagged", self, "delete", reason, "manifest:delete") end,
  }
  local tag_meta = { __index = tag_methods, __tostring = function(self) return "tag " .. tostring(identity[self]) end }
  local manifest_meta = { __index = manifest_methods, __tostring = function(self) return "manifest " .. tostring(identity[self]) end }

  local tags = {}
  for i, fields in ipairs(data.tags) do
    local tag = setmetatable(fields, tag_meta)
    identity[tag] = fields.name
    tags[i] = tag
  end
  local untagged = {}
  for i, fields in ipairs(data.untagged) do
    local manifest = setmetatable(fields, manifest_meta)
    identity[manifest] = fields.digest
    untagged[i] = manifest
  end
  local all = {}
  for i, tag in ipairs(tags) do all[i] = tag end
  local repo = setmetatable({ name = data.name, in_use = data.in_use, used_by = data.used_by, tags = tags, untagged = untagged }, {
    __index = {
      delete_all = function(self, reason)
        check_reason(reason, "repo:delete_all", where)
        for _, tag in ipairs(all) do mark("tags", tag, "delete", reason, "repo:delete_all") end
      end,
      keep_all = function(self, reason)
        check_reason(reason, "repo:keep_all", where)
        for _, tag in ipairs(all) do mark("tags", tag, "keep", reason, "repo:keep_all") end
      end,
    },
    __tostring = function(self) return "repository " .. data.name end,
  })

  reset_globals()
  clock = ctx.now
  randomseed(floor(ctx.now))
  local results = pack(decide(repo, ctx))
  if results.n > 0 and results[1] ~= nil then
    error(format("%s: decide must return nothing (mark tags with tag:keep/tag:delete), it returned a %s", where, type(results[1])), 0)
  end
  return marks
end

return run_decide
