-- keep-last: the original clean_old_versions.py.
--
-- In repositories whose name matches `repositories` (the original's --image), the tags that
-- match `include` and not `exclude` are ordered newest first (`order`); the first `keep` of
-- them stay. Of the rest, all are deleted, or, when `before` and/or `after` are given, only
-- those whose image was created strictly between `after` and `before` (a tag whose created
-- time is unknown is then kept). Everything else is left alone.
--
-- The original's README example (tags starting "0.1." in repositories starting "repo/sitor":
-- keep the last 2, delete the others created in the first half of 2016):
--
--   evictor plan REGISTRY --policy policies/keep-last.lua \
--     --policy-option repositories='^repo/sitor' --policy-option include='^0\.1\.' \
--     --policy-option keep=2 \
--     --policy-option before=2016-06-25T12:00:00Z --policy-option after=2016-01-01T00:00:00Z
--
-- Times without a zone (2016-06-25T12:00:00, the original's format) are read as UTC.
-- order=name sorts tag names byte by byte, descending; order=semver sorts versions (v1.2,
-- 1.10.0, 2.0.0-rc.1) and leaves tags that are not versions alone.
local retention = require("lib.retention")

return evictor.policy {
  name = "keep-last",
  version = "1.0",
  description = "keep the last N matching tags per repository, delete the older ones (optionally within a time window)",
  options = {
    repositories = { type = "regex", default = ".*", description = "repositories considered (the original's --image)" },
    include = { type = "regex", default = ".*", description = "tags considered" },
    exclude = { type = "regex", description = "tags never considered" },
    keep = { type = "integer", default = 3, description = "how many of the newest matching tags stay" },
    order = { type = "enum", values = { "created", "name", "semver" }, default = "created", description = "newest first by" },
    before = { type = "time", description = "only delete tags created before this time (RFC 3339)" },
    after = { type = "time", description = "only delete tags created after this time (RFC 3339)" },
  },
  default = "keep",

  decide = function(repo, ctx)
    local o = ctx.options
    local repositories = retention.regex_option(o.repositories, "repositories")
    local include = retention.regex_option(o.include, "include")
    local exclude = retention.regex_option(o.exclude, "exclude")
    local keep = retention.number_option(o.keep, "keep", true)
    local order = retention.choice_option(o.order, "order", retention.orders)
    local before = retention.parse_time_option(o.before, "before")
    local after = retention.parse_time_option(o.after, "after")
    if before ~= nil and after ~= nil and after >= before then
      error(string.format("option 'after' (%s) must be earlier than option 'before' (%s)", o.after, o.before), 0)
    end

    if not retention.selects(repo.name, repositories, nil) then return end

    local candidates = {}
    for _, tag in ipairs(repo.tags) do
      if retention.selects(tag.name, include, exclude) then candidates[#candidates + 1] = tag end
    end
    local sorted, unversioned = retention.sort_newest_first(candidates, order)
    for _, tag in ipairs(unversioned) do tag:keep("not a semantic version") end

    local rest = retention.keep_first(sorted, keep, string.format("one of the last %d (by %s)", keep, order))
    local windowed = before ~= nil or after ~= nil
    for _, tag in ipairs(rest) do
      if not windowed then
        tag:delete(string.format("older than the last %d (by %s)", keep, order))
      elseif tag.created == nil then
        tag:keep("created time unknown")
      elseif (before == nil or tag.created < before) and (after == nil or tag.created > after) then
        tag:delete(string.format("older than the last %d (by %s), created %s", keep, order,
          evictor.time.format(tag.created)))
      else
        tag:keep("created outside the before/after window")
      end
    end
  end,
}
