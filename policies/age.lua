-- age: delete tags whose image is older than a number of days.
--
-- In repositories whose name matches `repositories`, a tag whose image was created more than
-- `days` days ago is deleted, unless its name matches `keep` (default: "latest"; give
-- keep= to keep no tag by name). A tag whose created time is unknown is kept.
--
--   evictor plan REGISTRY --policy policies/age.lua --policy-option days=30
--   evictor plan REGISTRY --policy policies/age.lua --policy-option repositories='^ci/' \
--     --policy-option keep='^(latest|stable|v[0-9]+)$'
local retention = require("lib.retention")

return evictor.policy {
  name = "age",
  version = "1.0",
  description = "delete tags older than N days, except names matching a pattern",
  options = {
    days = { type = "number", default = 90, description = "tags whose image is older than this many days go" },
    keep = { type = "regex", default = "^latest$", description = "tag names always kept" },
    repositories = { type = "regex", default = ".*", description = "only repositories whose name matches" },
  },
  default = "keep",

  decide = function(repo, ctx)
    local days = retention.number_option(ctx.options.days, "days")
    local keep = retention.regex_option(ctx.options.keep, "keep")
    local repositories = retention.regex_option(ctx.options.repositories, "repositories")
    if not retention.selects(repo.name, repositories, nil) then return end

    local cutoff = ctx.now - evictor.time.days(days)
    for _, tag in ipairs(repo.tags) do
      if keep ~= nil and keep:match(tag.name) then
        tag:keep("name matches " .. ctx.options.keep)
      elseif tag.created == nil then
        tag:keep("created time unknown")
      elseif tag.created < cutoff then
        tag:delete(string.format("older than %g days (created %s)", days, evictor.time.format(tag.created)))
      else
        tag:keep(string.format("younger than %g days", days))
      end
    end
  end,
}
