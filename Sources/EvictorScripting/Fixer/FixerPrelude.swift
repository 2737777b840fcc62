/// The Lua side of running a fixer: the read-only `store` handle its `check` gets, and the
/// `actions` recorder its `fix` gets. Loaded as the `=evictor` chunk in each fixer's VM.
enum FixerPrelude {
    static let source = #"""
    local run = {}
    evictor.__fixer = run

    function run.fix(check, fix, findings)
      local store = {}
      function store:findings(...)
        local wanted = {}
        for _, class in ipairs({ ... }) do wanted[class] = true end
        local result = {}
        for _, finding in ipairs(findings) do
          if next(wanted) == nil or wanted[finding.problem] then result[#result + 1] = finding end
        end
        return result
      end
      function store:tags(repository) return evictor.__store.tags(repository) end
      function store:revisions(repository) return evictor.__store.revisions(repository) end
      function store:blob_size(digest) return evictor.__store.blob_size(digest) end
      function store:repositories() return evictor.__store.repositories() end

      local selected = check(store)
      if type(selected) ~= "table" then
        error("check must return a list of findings (got a " .. type(selected) .. ")", 0)
      end
      local list = {}
      local function record(kind, fields, reason)
        if type(reason) ~= "string" or reason == "" then
          error("actions:" .. kind .. ": the reason must be a non-empty string", 3)
        end
        fields.kind = kind
        fields.reason = reason
        list[#list + 1] = fields
      end
      local actions = {
        drop_tag = function(self, repository, tag, reason) record("drop_tag", { repository = repository, tag = tag }, reason) end,
        drop_revision = function(self, repository, digest, reason) record("drop_revision", { repository = repository, digest = digest }, reason) end,
        drop_layer_link = function(self, repository, digest, reason) record("drop_layer_link", { repository = repository, digest = digest }, reason) end,
        quarantine_blob = function(self, digest, reason) record("quarantine_blob", { digest = digest }, reason) end,
        quarantine = function(self, path, reason) record("quarantine", { path = path }, reason) end,
      }
      for _, finding in ipairs(selected) do
        fix(finding, actions)
      end
      return list
    end
    """#
}
