-- Tests of static.lua against recorded files (`evictor plugins test plugins`, or any plugin
-- repository's CI): each case lists the files the source may read and the images it must report.
return evictor.source_test {
  source = "static.lua",
  cases = {
    {
      name = "a plain list: comments and blank lines skipped, each reference where it was seen",
      argument = "/etc/evictor/keep.txt",
      files = { ["/etc/evictor/keep.txt"] = "# kept by hand\nregistry.example.com/shop/web:1.2\n\n  nginx:1.25  # pinned\n" },
      expect = { "registry.example.com/shop/web:1.2", "docker.io/library/nginx:1.25" },
      expect_seen_at = { ["nginx:1.25"] = "static;/etc/evictor/keep.txt:4" },
    },
    {
      name = "the original collector's images.json: digests and the places each image ran",
      options = { path = "/data/images.json" },
      files = {
        ["/data/images.json"] = [[{"registry.example.com/shop/api:2.0": {"_digest": "sha256:]] .. string.rep("a", 64)
          .. [[", "_last_wanted": 1700000000, "prod;shop;api-7d9": 1}}]],
      },
      expect = { "registry.example.com/shop/api:2.0@sha256:" .. string.rep("a", 64) },
      expect_seen_at = { ["registry.example.com/shop/api:2.0@sha256:" .. string.rep("a", 64)] = "k8s;prod;shop;api-7d9" },
    },
    {
      name = "a file it cannot read fails the source",
      argument = "/missing.txt",
      expect_error = "/missing.txt: cannot read",
    },
    {
      name = "the path is required",
      expect_error = "source static needs option 'path'",
    },
  },
}
