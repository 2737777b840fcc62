-- evictor policy test policies/untagged_test.lua
local function digest(c) return "sha256:" .. string.rep(c, 64) end

local now = "2024-06-01T00:00:00Z"
local old = "2024-01-01T00:00:00Z"
local yesterday = "2024-05-31T00:00:00Z"

-- A repository with a multi-arch tag "v1" (index A), and untagged manifests of every kind.
local function app()
  return {
    name = "team/app", in_use = true, used_by = { "k8s;prod;app;Deployment/app" },
    tags = {
      { name = "v1", digest = digest("a"), created = old, is_index = true,
        media_type = "application/vnd.oci.image.index.v1+json", platforms = { "linux/amd64", "linux/arm64" } },
      { name = "v0", digest = digest("0"), created = "2023-01-01T00:00:00Z" },
      { name = "sha256-" .. string.rep("a", 64) .. ".sig", digest = digest("9"), subject = digest("a") },
    },
    untagged = {
      -- the platform images of v1
      { digest = digest("b"), created = old, tagged_parent = true, parents = { digest("a") }, platforms = { "linux/amd64" } },
      { digest = digest("c"), created = old, tagged_parent = true, parents = { digest("a") }, platforms = { "linux/arm64" } },
      -- left behind by an older push of v0
      { digest = digest("d"), created = "2022-06-01T00:00:00Z" },
      -- an SBOM of v1 (OCI subject field): follows v1
      { digest = digest("e"), created = old, subject = digest("a"),
        media_type = "application/vnd.oci.image.manifest.v1+json" },
      -- a signature whose subject is gone
      { digest = digest("f"), created = old, subject = digest("7") },
      -- pushed yesterday, not tagged yet
      { digest = digest("1"), created = yesterday },
      -- no created time (an index, or a config without one)
      { digest = digest("2") },
    },
  }
end

-- An untagged multi-arch index (a previous push of a tag) and its two children.
local function stale_index(index_created)
  return {
    name = "team/multi", in_use = false, used_by = {},
    tags = { { name = "v2", digest = digest("a"), created = old } },
    untagged = {
      { digest = digest("c"), created = old, parents = { digest("b") } },
      { digest = digest("b"), created = index_created, is_index = true, platforms = { "linux/amd64", "linux/arm64" } },
      { digest = digest("d"), created = old, parents = { digest("b") } },
    },
  }
end

return evictor.policy_test {
  policy = "untagged.lua",
  cases = {
    {
      name = "deletes plain untagged manifests, keeps tagged indexes' children, leaves referrers",
      now = now,
      repository = app(),
      expect = {
        keep = { "v1", "v0", "sha256-" .. string.rep("a", 64) .. ".sig" }, delete = {},
        untagged_keep = { digest("b"), digest("c"), digest("e") },
        untagged_delete = { digest("d"), digest("f"), digest("1"), digest("2") },
      },
    },
    {
      name = "min_age_days keeps young manifests and those of unknown age",
      now = now,
      options = { min_age_days = 7 },
      repository = app(),
      expect = {
        keep = { "v1", "v0", "sha256-" .. string.rep("a", 64) .. ".sig" }, delete = {},
        untagged_keep = { digest("b"), digest("c"), digest("e"), digest("1"), digest("2") },
        untagged_delete = { digest("d"), digest("f") },
      },
    },
    {
      name = "min_age_days counts whole days: a 1-day-old manifest goes with min_age_days=1",
      now = now,
      options = { min_age_days = 1 },
      repository = app(),
      expect = {
        keep = { "v1", "v0", "sha256-" .. string.rep("a", 64) .. ".sig" }, delete = {},
        untagged_keep = { digest("b"), digest("c"), digest("e"), digest("2") },
        untagged_delete = { digest("d"), digest("f"), digest("1") },
      },
    },
    {
      name = "an untagged index goes with its children",
      now = now,
      repository = stale_index(old),
      expect = {
        keep = { "v2" }, delete = {},
        untagged_keep = {}, untagged_delete = { digest("b"), digest("c"), digest("d") },
      },
    },
    {
      name = "the children of a young untagged index stay with it",
      now = now,
      options = { min_age_days = 3 },
      repository = stale_index(yesterday),
      expect = {
        keep = { "v2" }, delete = {},
        untagged_keep = { digest("b"), digest("c"), digest("d") }, untagged_delete = {},
      },
    },
    {
      name = "an untagged manifest in use by digest stays",
      now = now,
      repository = {
        name = "team/pinned", in_use = true, used_by = { "k8s;prod;pinned;Deployment/pinned" },
        tags = {},
        untagged = {
          { digest = digest("a"), created = old, in_use = true },
          { digest = digest("b"), created = old },
        },
      },
      expect = { keep = {}, delete = {}, untagged_keep = { digest("a") }, untagged_delete = { digest("b") } },
    },
    {
      name = "a negative min_age_days is an error",
      now = now,
      options = { min_age_days = -1 },
      repository = app(),
      expect_error = "option 'min_age_days'",
    },
  },
}
