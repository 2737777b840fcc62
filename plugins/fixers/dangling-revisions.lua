-- dangling-revisions: revision links to manifests whose blob is gone, and malformed ones.
--
-- The registry lists such a manifest but answers 404 for it, and DELETE fails too, so the API
-- cannot clean it up. The revision directory goes to the quarantine; tags on it are the
-- broken-tags fixer's.
return evictor.fixer {
  name = "dangling-revisions",
  description = "quarantine revision links whose manifest blob is gone or whose link is malformed",
  check = function(store)
    return store:findings("revision-blob-missing", "revision-link-broken")
  end,
  fix = function(finding, actions)
    local why = finding.problem .. ": " .. finding.detail
    if finding.digest then
      for _, tag in ipairs(finding.tags) do actions:drop_tag(finding.repository, tag, "its manifest is gone") end
      actions:drop_revision(finding.repository, finding.digest, why)
    else
      actions:quarantine(finding.path, why)
    end
  end,
}
