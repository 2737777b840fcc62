-- The Lua side of running a fixer (FixerPlugin): the read-only `store` handle its `check`
-- gets, and the `actions` recorder its `fix` gets. Run once in each fixer's VM, before the
-- fixer file. The store's host functions arrive as an argument and the entry point (run_fix)
-- is returned to the engine: neither is a global, so a fixer can neither read nor replace them.

-- raise(message, fallback): the error at the fixer's calling line, or at fallback (where
-- check or fix is defined) when a tail call dropped the fixer's frame (LuaVM.runEngineChunk).
-- host: problems, repositories, tags, revisions, blob_size (StoreHandle.functions).
local raise, host = ...
local ipairs, type, error, select, next = ipairs, type, error, select, next
local format = string.format
local known_problems = {}
for _, name in ipairs(host.problems()) do known_problems[name] = true end

-- check_where, fix_where: "file:line" of check and fix; options: the fixer's options, checked.
local function run_fix(check, fix, findings, check_where, fix_where, options)
  local store = {}
  function store:findings(...)
    local wanted = {}
    for i = 1, select("#", ...) do
      local class = select(i, ...)
      if type(class) ~= "string" or not known_problems[class] then
        local got = type(class) == "string" and ("'" .. class .. "'") or ("a " .. type(class))
        raise(format("store:findings: argument %d must be a problem name such as \"tag-link-broken\" (got %s)", i, got), check_where)
      end
      wanted[class] = true
    end
    local result = {}
    for _, finding in ipairs(findings) do
      if next(wanted) == nil or wanted[finding.problem] then result[#result + 1] = finding end
    end
    return result
  end
  local function expect_string(method, what, value)
    if type(value) ~= "string" then
      raise(format("store:%s: expects %s (got %s)", method, what, type(value)), check_where)
    end
  end
  function store:tags(repository)
    expect_string("tags", "a repository name", repository)
    return host.tags(repository)
  end
  function store:revisions(repository)
    expect_string("revisions", "a repository name", repository)
    return host.revisions(repository)
  end
  function store:blob_size(digest)
    expect_string("blob_size", "a sha256 digest", digest)
    return host.blob_size(digest)
  end
  function store:repositories() return host.repositories() end

  local selected = check(store, options)
  if type(selected) ~= "table" then
    error(check_where .. ": check must return a list of findings (got a " .. type(selected) .. ")", 0)
  end
  local list = {}
  -- record(kind, reason, name, value, ...): every named field must be a non-empty string,
  -- so what reaches the engine is plain data (never a finding table, a cycle or nil).
  local function record(kind, reason, ...)
    local fields = { kind = kind }
    for i = 1, select("#", ...), 2 do
      local name, value = select(i, ...)
      if type(value) ~= "string" or value == "" then
        raise(format("actions:%s: the %s must be a non-empty string (got %s)", kind, name, type(value)), fix_where)
      end
      fields[name] = value
    end
    if type(reason) ~= "string" or reason == "" then
      raise("actions:" .. kind .. ": the reason must be a non-empty string", fix_where)
    end
    fields.reason = reason
    list[#list + 1] = fields
  end
  local actions = {
    drop_tag = function(self, repository, tag, reason) record("drop_tag", reason, "repository", repository, "tag", tag) end,
    drop_revision = function(self, repository, digest, reason) record("drop_revision", reason, "repository", repository, "digest", digest) end,
    drop_layer_link = function(self, repository, digest, reason) record("drop_layer_link", reason, "repository", repository, "digest", digest) end,
    quarantine_blob = function(self, digest, reason) record("quarantine_blob", reason, "digest", digest) end,
    quarantine = function(self, path, reason) record("quarantine", reason, "path", path) end,
  }
  for _, finding in ipairs(selected) do
    fix(finding, actions, options)
  end
  return list
end

return run_fix
