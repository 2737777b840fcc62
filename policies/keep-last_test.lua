-- evictor policy test policies/keep-last_test.lua

-- The original README's example repository: 0.1.x tags across 2015-2016, plus tags the
-- include pattern does not select.
local function sitor(name)
  return {
    name = name or "repo/sitor", in_use = false, used_by = {},
    tags = {
      { name = "0.1.9", created = "2016-08-01T00:00:00Z" },
      { name = "0.1.8", created = "2016-07-01T00:00:00Z" },
      { name = "0.1.7", created = "2016-06-25T12:00:00Z" },   -- on the before bound: outside
      { name = "0.1.6", created = "2016-06-01T00:00:00Z" },
      { name = "0.1.5", created = "2016-03-01T00:00:00Z" },
      { name = "0.1.4", created = "2016-01-01T00:00:00Z" },   -- on the after bound: outside
      { name = "0.1.3", created = "2015-12-01T00:00:00Z" },
      { name = "0.1.2" },                                      -- created time unknown
      { name = "0.2.0", created = "2016-05-01T00:00:00Z" },
      { name = "latest", created = "2016-08-01T00:00:00Z" },
    },
    untagged = {},
  }
end

local readme = {
  repositories = "^repo/sitor", include = "^0.1.", keep = 2,
  before = "2016-06-25T12:00:00Z", after = "2016-01-01T00:00:00Z",
}

local function versions()
  return {
    name = "lib/core", in_use = false, used_by = {},
    tags = {
      { name = "v1.2.0", created = "2024-03-01T00:00:00Z" },
      { name = "1.9.3", created = "2024-01-01T00:00:00Z" },
      { name = "1.10.0", created = "2024-02-01T00:00:00Z" },
      { name = "1.10.0-rc.1", created = "2024-04-01T00:00:00Z" },
      { name = "2.0", created = "2023-01-01T00:00:00Z" },
      { name = "latest", created = "2024-04-01T00:00:00Z" },
      { name = "main", created = "2024-04-02T00:00:00Z" },
    },
    untagged = {},
  }
end

return evictor.policy_test {
  policy = "keep-last.lua",
  cases = {
    {
      name = "the README example: keep 2, delete the rest created between after and before",
      options = readme,
      repository = sitor(),
      expect = {
        keep = { "0.1.9", "0.1.8", "0.1.7", "0.1.4", "0.1.3", "0.1.2", "0.2.0", "latest" },
        delete = { "0.1.6", "0.1.5" },
      },
    },
    {
      name = "the README example with the original's zoneless times (read as UTC)",
      options = {
        repositories = "^repo/sitor", include = "^0.1.", keep = 2,
        before = "2016-06-25T12:00:00", after = "2016-01-01T00:00:00",
      },
      repository = sitor("repo/sitor-web"),
      expect = {
        keep = { "0.1.9", "0.1.8", "0.1.7", "0.1.4", "0.1.3", "0.1.2", "0.2.0", "latest" },
        delete = { "0.1.6", "0.1.5" },
      },
    },
    {
      name = "a repository the pattern does not match is left alone",
      options = readme,
      repository = sitor("other/sitor"),
      expect = {
        keep = { "0.1.9", "0.1.8", "0.1.7", "0.1.6", "0.1.5", "0.1.4", "0.1.3", "0.1.2", "0.2.0", "latest" },
        delete = {},
      },
    },
    {
      name = "without a time window every matching tag beyond the last 2 goes",
      options = { include = "^0\\.1\\.", keep = 2 },
      repository = sitor(),
      expect = {
        keep = { "0.1.9", "0.1.8", "0.2.0", "latest" },
        delete = { "0.1.7", "0.1.6", "0.1.5", "0.1.4", "0.1.3", "0.1.2" },
      },
    },
    {
      name = "only before: unknown created times are kept",
      options = { include = "^0\\.1\\.", keep = 2, before = "2016-03-01T00:00:01Z" },
      repository = sitor(),
      expect = {
        keep = { "0.1.9", "0.1.8", "0.1.7", "0.1.6", "0.1.2", "0.2.0", "latest" },
        delete = { "0.1.5", "0.1.4", "0.1.3" },
      },
    },
    {
      name = "only after",
      options = { include = "^0\\.1\\.", keep = 1, after = "2016-06-01T00:00:00Z" },
      repository = sitor(),
      expect = {
        keep = { "0.1.9", "0.1.6", "0.1.5", "0.1.4", "0.1.3", "0.1.2", "0.2.0", "latest" },
        delete = { "0.1.8", "0.1.7" },
      },
    },
    {
      name = "default options keep the 3 newest tags of every repository",
      repository = sitor(),
      -- newest first: latest/0.1.9 (same time, name descending: latest first), 0.1.8, ...
      expect = {
        keep = { "latest", "0.1.9", "0.1.8" },
        delete = { "0.1.7", "0.1.6", "0.2.0", "0.1.5", "0.1.4", "0.1.3", "0.1.2" },
      },
    },
    {
      name = "keep=0 deletes every matching tag",
      options = { include = "^0\\.2\\.", keep = 0 },
      repository = sitor(),
      expect = {
        keep = { "0.1.9", "0.1.8", "0.1.7", "0.1.6", "0.1.5", "0.1.4", "0.1.3", "0.1.2", "latest" },
        delete = { "0.2.0" },
      },
    },
    {
      name = "exclude takes tags out of consideration",
      options = { include = "^0\\.1\\.", exclude = "^0\\.1\\.[3-5]$", keep = 2 },
      repository = sitor(),
      expect = {
        keep = { "0.1.9", "0.1.8", "0.1.5", "0.1.4", "0.1.3", "0.2.0", "latest" },
        delete = { "0.1.7", "0.1.6", "0.1.2" },
      },
    },
    {
      name = "an empty exclude excludes nothing",
      options = { include = "^0\\.1\\.", exclude = "", keep = 7 },
      repository = sitor(),
      expect = {
        keep = { "0.1.9", "0.1.8", "0.1.7", "0.1.6", "0.1.5", "0.1.4", "0.1.3", "0.2.0", "latest" },
        delete = { "0.1.2" },
      },
    },
    {
      name = "order=semver: versions descending, prerelease below release, other tags alone",
      options = { order = "semver", keep = 2 },
      repository = versions(),
      -- 2.0 > 1.10.0 > 1.10.0-rc.1 > 1.9.3 > v1.2.0, whatever their created times
      expect = {
        keep = { "2.0", "1.10.0", "latest", "main" },
        delete = { "1.10.0-rc.1", "1.9.3", "v1.2.0" },
      },
    },
    {
      name = "order=semver with exclude of prereleases",
      options = { order = "semver", keep = 1, exclude = "-" },
      repository = versions(),
      expect = {
        keep = { "2.0", "1.10.0-rc.1", "latest", "main" },
        delete = { "1.10.0", "1.9.3", "v1.2.0" },
      },
    },
    {
      name = "order=name: tag names descending, byte by byte",
      options = { order = "name", keep = 2, include = "^[0-9v]" },
      repository = versions(),
      -- v1.2.0 > 2.0 > 1.9.3 > 1.10.0-rc.1 > 1.10.0
      expect = {
        keep = { "v1.2.0", "2.0", "latest", "main" },
        delete = { "1.9.3", "1.10.0-rc.1", "1.10.0" },
      },
    },
    {
      name = "order=created (the default) ignores the version numbers",
      options = { keep = 2, include = "[0-9]" },
      repository = versions(),
      -- 1.10.0-rc.1 (04-01), v1.2.0 (03-01), 1.10.0 (02-01), 1.9.3 (01-01), 2.0 (2023)
      expect = {
        keep = { "1.10.0-rc.1", "v1.2.0", "latest", "main" },
        delete = { "1.10.0", "1.9.3", "2.0" },
      },
    },
    {
      name = "an invalid include pattern fails the plan",
      options = { include = "(" },
      repository = sitor(),
      expect_error = "option 'include'",
    },
    {
      name = "an invalid exclude pattern fails the plan",
      options = { exclude = "[0-9" },
      repository = sitor(),
      expect_error = "option 'exclude'",
    },
    {
      name = "an invalid repositories pattern fails even where nothing would match",
      options = { repositories = "(" },
      repository = sitor(),
      expect_error = "option 'repositories'",
    },
    {
      name = "a before that is not a time fails",
      options = { before = "last tuesday" },
      repository = sitor(),
      expect_error = "option 'before'",
    },
    {
      name = "an unknown order fails",
      options = { order = "size" },
      repository = sitor(),
      expect_error = "option 'order'",
    },
    {
      name = "a negative keep fails",
      options = { keep = -2 },
      repository = sitor(),
      expect_error = "option 'keep'",
    },
    {
      name = "an empty window (after not before before) fails",
      options = { before = "2016-01-01T00:00:00Z", after = "2016-06-01T00:00:00Z" },
      repository = sitor(),
      expect_error = "must be earlier",
    },
  },
}
