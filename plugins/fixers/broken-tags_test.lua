-- Tests of broken-tags.lua against scan findings (`evictor plugins test plugins`).
return evictor.fixer_test {
  fixer = "broken-tags.lua",
  cases = {
    {
      name = "each broken tag's directory is dropped; other findings are left to other fixers",
      findings = {
        { problem = "tag-link-broken", repository = "shop/web", tag = "v1", path = "repositories/shop/web/_manifests/tags/v1", detail = "no link" },
        { problem = "tag-blob-missing", repository = "shop/api", tag = "2.0", path = "repositories/shop/api/_manifests/tags/2.0", detail = "blob gone" },
        { problem = "empty-blob", repository = "", digest = "sha256:" .. string.rep("0", 64), path = "blobs/sha256/00", detail = "0 bytes" },
      },
      expect = {
        { kind = "drop_tag", repository = "shop/web", tag = "v1" },
        { kind = "drop_tag", repository = "shop/api", tag = "2.0" },
      },
    },
    {
      name = "nothing broken, nothing to do",
      findings = { { problem = "no-tags", repository = "old/app", path = "repositories/old/app", detail = "no tags" } },
      expect = {},
    },
  },
}
