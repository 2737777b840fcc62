-- unpullable-images: manifests that reference a config, layer or child manifest that is gone.
--
-- Every pull of such an image fails halfway. Its tags (including tags of an index that lists
-- it) and its revision go to the quarantine, so `evictor check` and clients see a clean
-- "manifest unknown" instead, and the image can be pushed again. An operator who would rather
-- re-upload the missing blob leaves this fixer out (`--fixer NAME` picks the fixers that run).
return evictor.fixer {
  name = "unpullable-images",
  description = "quarantine tags and revisions of images whose layers, config or children are gone",
  check = function(store)
    return store:findings("reference-missing")
  end,
  fix = function(finding, actions)
    for _, tag in ipairs(finding.tags) do
      actions:drop_tag(finding.repository, tag, finding.detail)
    end
    actions:drop_revision(finding.repository, finding.digest, finding.detail)
  end,
}
