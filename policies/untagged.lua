-- untagged: manifests no tag points to (left behind when a tag moved to a new push).
--
-- Each untagged manifest is deleted unless
--   * a tagged image index lists it (a platform image of a multi-arch tag);
--   * an untagged index that stays lists it;
--   * it is a referrer (signature, SBOM, attestation) whose subject is still in the
--     repository: it is left unmarked, and the engine makes it follow its subject;
--   * it is younger than min_age_days (a push in progress may not be tagged yet); with
--     min_age_days > 0 a manifest whose created time is unknown is kept too;
--   * an inventory image uses it by digest.
-- Tags are not touched.
--
--   evictor plan REGISTRY --policy policies/untagged.lua
--   evictor plan REGISTRY --policy policies/untagged.lua --policy-option min_age_days=7
local retention = require("lib.retention")

return evictor.policy {
  name = "untagged",
  version = "1.0",
  description = "delete manifests no tag points to, multi-arch and referrer aware",
  options = {
    min_age_days = { type = "number", default = 0, description = "untagged manifests younger than this are kept" },
  },
  default = "keep",

  decide = function(repo, ctx)
    local days = retention.number_option(ctx.options.min_age_days, "min_age_days")
    local min_age = evictor.time.days(days)

    local present, untagged = {}, {}
    for _, tag in ipairs(repo.tags) do present[tag.digest] = true end
    for _, m in ipairs(repo.untagged) do
      present[m.digest] = true
      untagged[m.digest] = m
    end

    -- Why `m` stays ("follow" for a referrer left to the engine), or nil: it goes. Memoized,
    -- since a child's verdict depends on its parents'; `visiting` breaks index cycles.
    local verdicts, visiting = {}, {}
    local function reason(m)
      if verdicts[m.digest] ~= nil then return verdicts[m.digest] or nil end
      if visiting[m.digest] then return nil end
      visiting[m.digest] = true
      local why
      if m.tagged_parent then
        why = "listed by a tagged index"
      elseif m.in_use then
        why = "in use"
      elseif m.subject ~= nil and present[m.subject] then
        why = "follow"
      elseif days > 0 and m.created == nil then
        why = "created time unknown"
      elseif days > 0 and ctx.now - m.created < min_age then
        why = string.format("younger than %g days", days)
      else
        for _, parent in ipairs(m.parents or {}) do
          local p = untagged[parent]
          local parent_why = p ~= nil and reason(p) or nil
          if parent_why == "follow" then
            why = "follow" -- a referrer index's child goes with it
          elseif parent_why ~= nil then
            why = "listed by kept index " .. parent
            break
          end
        end
      end
      visiting[m.digest] = nil
      verdicts[m.digest] = why or false
      return why
    end

    for _, m in ipairs(repo.untagged) do
      local why = reason(m)
      if why == nil then
        m:delete("untagged")
      elseif why ~= "follow" then
        m:keep(why)
      end
    end
  end,
}
