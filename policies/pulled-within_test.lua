-- evictor policy test policies/pulled-within_test.lua
local now = "2026-11-30T12:00:00Z"

local function repo()
  return {
    name = "shop/app", in_use = false, used_by = {},
    tags = {
      { name = "v9", created = "2026-11-29T00:00:00Z" },                                        -- newest
      { name = "v8", created = "2026-10-01T00:00:00Z", pull_count = 0, pushed = "2026-10-01T00:00:00Z" },
      { name = "v7", created = "2026-09-01T00:00:00Z", pull_count = 3, last_pulled = "2026-11-29T08:00:00Z" },
      { name = "v6", created = "2026-08-01T00:00:00Z", pull_count = 12, last_pulled = "2026-08-15T00:00:00Z" },
      { name = "v5", created = "2026-07-01T00:00:00Z" },                                        -- no record
      { name = "v4", created = "2026-11-20T00:00:00Z" },                                        -- young, no record
      { name = "v3" },                                                                          -- age unknown
    },
    untagged = { { digest = "sha256:" .. string.rep("a", 64), created = "2020-01-01T00:00:00Z" } },
  }
end

-- The same repository as a registry without any pull history shows it: no usage fields.
local function unrecorded()
  local r = repo()
  for _, tag in ipairs(r.tags) do tag.pull_count, tag.last_pulled, tag.pushed = nil, nil, nil end
  return r
end

return evictor.policy_test {
  policy = "pulled-within.lua",
  cases = {
    {
      name = "pulled within 30 days and the newest stay; the rest older than 30 days goes, saying why",
      now = now, usage_since = "2026-06-01T00:00:00Z",
      options = { keep_newest = 1 },
      repository = repo(),
      expect = {
        keep = { "v9", "v7", "v4", "v3" },
        delete = { "v8", "v6", "v5" },
        untagged_keep = { "sha256:" .. string.rep("a", 64) },
      },
    },
    {
      name = "no pull history: every tag's usage is unknown and kept",
      now = now,
      options = { keep_newest = 1 },
      repository = unrecorded(),
      expect = { keep = { "v9", "v8", "v7", "v6", "v5", "v4", "v3" }, delete = {} },
    },
    {
      name = "a history younger than the window cannot say 'not pulled'; unknown=age judges by age alone",
      now = now, usage_since = "2026-11-15T00:00:00Z",
      options = { keep_newest = 1, unknown = "age" },
      repository = repo(),
      expect = { keep = { "v9", "v7", "v4", "v3" }, delete = { "v8", "v6", "v5" } },
    },
    {
      name = "the same young history with unknown=keep keeps what has no pulls on record; a known old pull still goes",
      now = now, usage_since = "2026-11-15T00:00:00Z",
      options = { keep_newest = 1 },
      repository = repo(),
      expect = { keep = { "v9", "v8", "v7", "v5", "v4", "v3" }, delete = { "v6" } },
    },
    {
      name = "a bad option fails",
      now = now,
      options = { unknown = "maybe" },
      repository = repo(),
      expect_error = "option 'unknown'",
    },
  },
}
