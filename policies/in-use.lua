-- in-use: the original registry-evictor.py's rule.
--
-- A repository no inventory image is in loses every tag. A used repository keeps its
-- keep_newest newest tags ("latest" counts like any other tag), every in-use tag, and the
-- keep_before tags before each in-use tag (the next older ones: rollback targets); the rest of
-- its tags go. Untagged manifests are left to the untagged policy.
--
-- It needs an inventory (evictor inventory ... -o images.json): without one every repository
-- would look unused. The engine refuses to plan without --inventory, and refuses an inventory
-- of fewer than 10 images (override: --min-inventory N), as the original did.
--
--   evictor plan REGISTRY --policy policies/in-use.lua --inventory images.json
--   evictor plan REGISTRY --policy policies/in-use.lua --inventory images.json \
--     --policy-option keep_newest=5 --policy-option keep_before=1
local retention = require("lib.retention")

return evictor.policy {
  name = "in-use",
  version = "1.0",
  description = "unused repositories go; used ones keep the newest tags, in-use tags and the tags before each",
  options = {
    keep_newest = { type = "integer", default = 3, description = "newest tags kept in a used repository" },
    keep_before = { type = "integer", default = 2, description = "tags kept before (older than) each in-use tag" },
  },
  needs_inventory = true,
  min_inventory = 10,
  default = "delete",

  decide = function(repo, ctx)
    local newest = retention.number_option(ctx.options.keep_newest, "keep_newest", true)
    local before = retention.number_option(ctx.options.keep_before, "keep_before", true)
    -- The engine refuses to run this policy without an inventory; this is the second lock.
    if ctx.inventory == nil then
      error("in-use needs an inventory (--inventory images.json): without one every repository looks unused", 0)
    end

    if not repo.in_use then
      repo:delete_all("repository not in use")
      return
    end
    -- Everything goes unless kept below (a keep mark wins over a delete mark); marking it
    -- says why in the plan.
    local why = string.format("not one of the %d newest, not in use, not within %d before an in-use tag", newest, before)
    for _, tag in ipairs(repo.tags) do tag:delete(why) end
    retention.keep_first(repo.tags, newest, string.format("one of the %d newest", newest))
    retention.keep_around_in_use(repo.tags, before)
  end,
}
