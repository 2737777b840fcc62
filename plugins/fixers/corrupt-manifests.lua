-- corrupt-manifests: manifest blobs that do not hash to their digest or do not parse.
--
-- The registry accepted a broken push (the original README's "corrupted manifests uploaded by
-- docker"): tags list, pulls fail, and the official garbage collector aborts on it. The tags
-- reaching it, its revision link and the blob itself go to the quarantine, so the collector runs
-- again and the image can be pushed anew.
return evictor.fixer {
  name = "corrupt-manifests",
  description = "quarantine corrupt manifest blobs with their revision links and tags",
  check = function(store)
    return store:findings("manifest-digest-mismatch", "manifest-unparseable")
  end,
  fix = function(finding, actions)
    local why = finding.problem .. ": " .. finding.detail
    for _, tag in ipairs(finding.tags) do
      actions:drop_tag(finding.repository, tag, "points at a corrupt manifest (" .. why .. ")")
    end
    actions:drop_revision(finding.repository, finding.digest, why)
    actions:quarantine_blob(finding.digest, why)
  end,
}
