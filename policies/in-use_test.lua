-- evictor policy test policies/in-use_test.lua
local function digest(c) return "sha256:" .. string.rep(c, 64) end

local inventory = { images = 40, on_registry = 25 }

-- Eight tags a day apart, "latest" the newest, 1.3 in use in the middle.
local function web_tags()
  return {
    { name = "1.0", created = "2024-01-01T00:00:00Z" },
    { name = "1.1", created = "2024-01-02T00:00:00Z" },
    { name = "1.2", created = "2024-01-03T00:00:00Z" },
    { name = "1.3", created = "2024-01-04T00:00:00Z", in_use = true, used_by = { "k8s;prod;web;Deployment/web" } },
    { name = "1.4", created = "2024-01-05T00:00:00Z" },
    { name = "1.5", created = "2024-01-06T00:00:00Z" },
    { name = "1.6", created = "2024-01-07T00:00:00Z" },
    { name = "latest", created = "2024-01-08T00:00:00Z" },
  }
end

local function web(tags, untagged)
  return {
    name = "team/web", in_use = true, used_by = { "k8s;prod;web;Deployment/web" },
    tags = tags or web_tags(), untagged = untagged or {},
  }
end

return evictor.policy_test {
  policy = "in-use.lua",
  cases = {
    {
      name = "after the rails: a tag on the in-use tag's manifest stays though the policy deletes it",
      inventory = inventory,
      options = { keep_newest = 0, keep_before = 0 },
      repository = web({
        { name = "1.2", created = "2024-01-03T00:00:00Z" },
        { name = "1.3", created = "2024-01-04T00:00:00Z", digest = digest("3"), in_use = true, used_by = { "k8s;prod;web;Deployment/web" } },
        { name = "stable", created = "2024-01-04T00:00:00Z", digest = digest("3") },
        { name = "latest", created = "2024-01-05T00:00:00Z" },
      }),
      expect = { keep = { "1.3" }, delete = { "latest", "stable", "1.2" } },
      expect_final = { keep = { "1.3", "stable" }, delete = { "latest", "1.2" } },
    },
    {
      name = "after the rails: an inventory smaller than min_inventory is refused",
      inventory = { images = 4, on_registry = 4 },
      repository = web(),
      expect_final = { refused = "fewer than 10" },
    },
    {
      name = "keeps the 3 newest (latest counts), the in-use tag and the 2 before it",
      inventory = inventory,
      repository = web(nil, { { digest = digest("a"), created = "2023-01-01T00:00:00Z" } }),
      expect = {
        keep = { "latest", "1.6", "1.5", "1.3", "1.2", "1.1" },
        delete = { "1.4", "1.0" },
        untagged_keep = { digest("a") }, untagged_delete = {},
      },
    },
    {
      name = "keep_newest=1 keeps only latest besides the in-use window",
      inventory = inventory,
      options = { keep_newest = 1 },
      repository = web(),
      expect = { keep = { "latest", "1.3", "1.2", "1.1" }, delete = { "1.6", "1.5", "1.4", "1.0" } },
    },
    {
      name = "keep_newest=5 and keep_before=1",
      inventory = inventory,
      options = { keep_newest = 5, keep_before = 1 },
      repository = web(),
      expect = { keep = { "latest", "1.6", "1.5", "1.4", "1.3", "1.2" }, delete = { "1.1", "1.0" } },
    },
    {
      name = "keep_newest=0 and keep_before=0 keep only the in-use tag",
      inventory = inventory,
      options = { keep_newest = 0, keep_before = 0 },
      repository = web(),
      expect = { keep = { "1.3" }, delete = { "latest", "1.6", "1.5", "1.4", "1.2", "1.1", "1.0" } },
    },
    {
      name = "an unused repository loses every tag, its untagged manifests stay",
      inventory = inventory,
      repository = {
        name = "team/old", in_use = false, used_by = {},
        tags = {
          { name = "1.0", created = "2020-01-01T00:00:00Z" },
          { name = "1.1", created = "2020-02-01T00:00:00Z" },
          { name = "latest", created = "2020-02-01T00:00:00Z" },
        },
        untagged = { { digest = digest("b"), created = "2019-01-01T00:00:00Z" } },
      },
      expect = {
        keep = {}, delete = { "latest", "1.1", "1.0" },
        untagged_keep = { digest("b") }, untagged_delete = {},
      },
    },
    {
      name = "a used repository with fewer tags than keep_newest keeps them all",
      inventory = inventory,
      repository = web({
        { name = "1.0", created = "2024-01-01T00:00:00Z" },
        { name = "1.1", created = "2024-01-02T00:00:00Z", in_use = true, used_by = { "compose;app.yml;web" } },
      }),
      expect = { keep = { "1.1", "1.0" }, delete = {} },
    },
    {
      name = "a used repository where no tag is in use (pulled by digest) keeps the newest",
      inventory = inventory,
      repository = web({
        { name = "a", created = "2024-01-01T00:00:00Z" },
        { name = "b", created = "2024-01-02T00:00:00Z" },
        { name = "c", created = "2024-01-03T00:00:00Z" },
        { name = "d", created = "2024-01-04T00:00:00Z" },
      }),
      expect = { keep = { "d", "c", "b" }, delete = { "a" } },
    },
    {
      name = "in-use windows near the end are cut short, overlapping windows merge",
      inventory = inventory,
      options = { keep_newest = 1 },
      repository = web({
        { name = "1", created = "2024-01-01T00:00:00Z", in_use = true, used_by = { "k8s;stage;web;Deployment/web" } },
        { name = "2", created = "2024-01-02T00:00:00Z" },
        { name = "3", created = "2024-01-03T00:00:00Z", in_use = true, used_by = { "k8s;prod;web;Deployment/web" } },
        { name = "4", created = "2024-01-04T00:00:00Z" },
        { name = "5", created = "2024-01-05T00:00:00Z" },
        { name = "6", created = "2024-01-06T00:00:00Z" },
        { name = "7", created = "2024-01-07T00:00:00Z" },
      }),
      expect = { keep = { "7", "3", "2", "1" }, delete = { "6", "5", "4" } },
    },
    {
      name = "tags without a created time are the oldest; ties go by name, descending",
      inventory = inventory,
      options = { keep_newest = 2, keep_before = 1 },
      repository = web({
        { name = "x", created = "2024-01-01T00:00:00Z" },
        { name = "y", created = "2024-01-01T00:00:00Z" },
        { name = "z", created = "2024-01-01T00:00:00Z" },
        { name = "old-1" },
        { name = "old-2", in_use = true, used_by = { "static;keep.txt:3" } },
        { name = "old-3" },
      }),
      -- newest first: z, y, x, old-3, old-2, old-1
      expect = { keep = { "z", "y", "old-2", "old-1" }, delete = { "x", "old-3" } },
    },
    {
      name = "refuses to run without an inventory",
      repository = web(),
      expect_error = "inventory",
    },
    {
      name = "a negative keep_newest is an error",
      inventory = inventory,
      options = { keep_newest = -1 },
      repository = web(),
      expect_error = "option 'keep_newest'",
    },
    {
      name = "a fractional keep_before is an error",
      inventory = inventory,
      options = { keep_before = 1.5 },
      repository = web(),
      expect_error = "option 'keep_before'",
    },
  },
}
