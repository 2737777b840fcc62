-- evictor policy test policies/age_test.lua
local now = "2024-06-01T00:00:00Z"

local function ci(name)
  return {
    name = name or "ci/build", in_use = false, used_by = {},
    tags = {
      { name = "latest", created = "2023-01-01T00:00:00Z" },           -- old, kept by name
      { name = "stable", created = "2023-06-01T00:00:00Z" },
      { name = "pr-1", created = "2024-01-01T00:00:00Z" },             -- 152 days
      { name = "pr-2", created = "2024-03-03T00:00:00Z" },             -- exactly 90 days: not older
      { name = "pr-3", created = "2024-03-02T23:59:59Z" },             -- 90 days and a second
      { name = "pr-4", created = "2024-05-25T00:00:00Z" },             -- 7 days
      { name = "pr-5" },                                                -- created time unknown
    },
    untagged = { { digest = "sha256:" .. string.rep("e", 64), created = "2020-01-01T00:00:00Z" } },
  }
end

return evictor.policy_test {
  policy = "age.lua",
  cases = {
    {
      name = "deletes tags older than 90 days except latest; unknown created kept",
      now = now,
      repository = ci(),
      expect = {
        keep = { "latest", "pr-2", "pr-4", "pr-5" },
        delete = { "stable", "pr-1", "pr-3" },
        untagged_keep = { "sha256:" .. string.rep("e", 64) }, untagged_delete = {},
      },
    },
    {
      name = "days=30 and a keep pattern for latest and stable",
      now = now,
      options = { days = 30, keep = "^(latest|stable)$" },
      repository = ci(),
      expect = {
        keep = { "latest", "stable", "pr-4", "pr-5" },
        delete = { "pr-1", "pr-2", "pr-3" },
      },
    },
    {
      name = "the keep pattern is unanchored unless it says otherwise",
      now = now,
      options = { days = 30, keep = "pr-[12]" },
      repository = ci(),
      expect = {
        keep = { "pr-1", "pr-2", "pr-4", "pr-5" },
        delete = { "latest", "stable", "pr-3" },
      },
    },
    {
      name = "keep= (empty) keeps no tag by name",
      now = now,
      options = { keep = "" },
      repository = ci(),
      expect = {
        keep = { "pr-2", "pr-4", "pr-5" },
        delete = { "latest", "stable", "pr-1", "pr-3" },
      },
    },
    {
      name = "only repositories matching the pattern",
      now = now,
      options = { repositories = "^ci/" },
      repository = ci("team/web"),
      expect = {
        keep = { "latest", "stable", "pr-1", "pr-2", "pr-3", "pr-4", "pr-5" },
        delete = {},
      },
    },
    {
      name = "a matching repository under a repositories pattern",
      now = now,
      options = { repositories = "^ci/", days = 400 },
      repository = ci("ci/build"),
      expect = {
        keep = { "latest", "stable", "pr-1", "pr-2", "pr-3", "pr-4", "pr-5" },
        delete = {},
      },
    },
    {
      -- age looks only at the created time; the engine's rails then keep what is in use, and
      -- a tag on the same manifest as a kept one (deleting the manifest would take both).
      name = "after the rails: an in-use tag and a tag sharing the kept latest's digest stay",
      now = now,
      repository = {
        name = "ci/build",
        tags = {
          { name = "old-in-use", created = "2023-01-01T00:00:00Z", in_use = true, used_by = { "k8s;prod;ci;Deployment/runner" } },
          { name = "latest", created = "2023-01-02T00:00:00Z", digest = "sha256:" .. string.rep("5", 64) },
          { name = "old-shared", created = "2023-01-02T00:00:00Z", digest = "sha256:" .. string.rep("5", 64) },
          { name = "old", created = "2023-01-03T00:00:00Z" },
          { name = "new", created = "2024-05-30T00:00:00Z" },
        },
      },
      expect = { keep = { "latest", "new" }, delete = { "old-in-use", "old-shared", "old" } },   -- the policy's marks
      expect_final = { keep = { "latest", "new", "old-in-use", "old-shared" }, delete = { "old" } },   -- what the plan does
    },
    {
      name = "after the rails: deleting more than half the tags is refused by the share cap",
      now = now,
      options = { days = 30 },
      repository = ci(),
      expect = { keep = { "latest", "pr-4", "pr-5" }, delete = { "stable", "pr-1", "pr-2", "pr-3" } },
      expect_final = { refused = "more than the limit of 50%" },
    },
    {
      name = "after the rails: the same plan with max_delete_percent = 60 goes ahead",
      now = now,
      options = { days = 30 },
      max_delete_percent = 60,
      repository = ci(),
      expect_final = { keep = { "latest", "pr-4", "pr-5" }, delete = { "stable", "pr-1", "pr-2", "pr-3" }, untagged_keep = { "sha256:" .. string.rep("e", 64) } },
    },
    {
      name = "an invalid keep pattern fails the plan",
      now = now,
      options = { keep = "(" },
      repository = ci(),
      expect_error = "option 'keep'",
    },
    {
      name = "a negative days fails the plan",
      now = now,
      options = { days = -1 },
      repository = ci(),
      expect_error = "option 'days'",
    },
  },
}
