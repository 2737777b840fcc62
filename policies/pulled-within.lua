-- pulled-within: keep what is pulled; delete what nobody pulled lately.
--
-- Needs the pull history `evictor serve` records from the registry's notifications
-- (README "Pull history"): a plan with --config reads it from the state directory, or
-- `--usage STATE/usage.sqlite`. Per repository:
--   * a tag pulled within `days` days is kept ("pulled 2026-11-29 (3 pulls)");
--   * the `keep_newest` newest tags are kept whatever their pulls;
--   * a tag younger than `min_age_days` (by its image's created time, else its first push) is
--     kept, and so is one whose age is unknown;
--   * the rest is deleted: "last pulled 2026-08-01 (12 pulls)" or "never pulled since
--     2026-11-01" (the day the history starts).
-- Usage is unknown when there is no history, or when it starts less than `days` days ago:
-- nobody can tell a tag that is not pulled from one whose pulls were not recorded yet. Such
-- tags are kept (`unknown = "keep"`, the default) or judged by age alone (`unknown = "age"`).
-- Untagged manifests are left to the untagged policy.
--
--   evictor plan REGISTRY --policy pulled-within --usage STATE/usage.sqlite
--   evictor plan --config evictor.yaml main --policy pulled-within --policy-option days=14
local retention = require("lib.retention")

local function day(t) return evictor.time.format(t):sub(1, 10) end

return evictor.policy {
  name = "pulled-within",
  version = "1.0",
  description = "keep tags pulled in the last N days and the newest K; delete the rest older than M days",
  options = {
    days = { type = "number", default = 30, description = "tags pulled within this many days are kept" },
    keep_newest = { type = "integer", default = 3, description = "newest tags kept per repository, pulled or not" },
    min_age_days = { type = "number", default = 30, description = "only tags older than this (created, else first push) go" },
    unknown = { type = "enum", values = { "keep", "age" }, default = "keep", description = "tags whose usage is unknown: keep, or age (judged by age alone)" },
  },
  default = "delete",

  decide = function(repo, ctx)
    local days = retention.number_option(ctx.options.days, "days")
    local newest = retention.number_option(ctx.options.keep_newest, "keep_newest", true)
    local min_age = evictor.time.days(retention.number_option(ctx.options.min_age_days, "min_age_days"))
    local unknown = retention.choice_option(ctx.options.unknown, "unknown", { "keep", "age" })
    local window = evictor.time.days(days)
    -- The history can only say "not pulled" once it covers the whole window.
    local history = ctx.usage_since ~= nil and ctx.now - ctx.usage_since >= window
    local since = ctx.usage_since and day(ctx.usage_since)

    local rest = retention.keep_first(repo.tags, newest, string.format("one of the %d newest", newest))
    for _, tag in ipairs(rest) do
      if tag.last_pulled ~= nil and ctx.now - tag.last_pulled <= window then
        tag:keep(string.format("pulled %s (%d pulls)", day(tag.last_pulled), tag.pull_count))
      elseif not history and tag.last_pulled == nil and unknown == "keep" then
        tag:keep(since and string.format("usage unknown: the pull history starts %s, less than %g days ago", since, days)
          or "usage unknown: no pull history")
      else
        local born = tag.created or tag.pushed
        if born == nil then
          tag:keep("age unknown")
        elseif ctx.now - born < min_age then
          tag:keep(string.format("younger than %g days", min_age / 86400))
        elseif tag.last_pulled ~= nil then
          tag:delete(string.format("last pulled %s (%d pulls), not within %g days", day(tag.last_pulled), tag.pull_count, days))
        elseif since ~= nil then
          tag:delete("never pulled since " .. since)
        else
          tag:delete("usage unknown, older than " .. (min_age / 86400) .. " days")
        end
      end
    end
  end,
}
