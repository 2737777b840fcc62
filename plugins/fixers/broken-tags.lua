-- broken-tags: tags that point at nothing usable.
--
-- A tag whose current/link is missing or malformed, names a digest the repository has no
-- revision for, or names a manifest whose blob is gone lists in the catalog but can be neither
-- pulled nor deleted through the API (the original evictor README's "someone saved space by
-- deleting old files"). The tag directory goes to the quarantine; revert puts it back.
return evictor.fixer {
  name = "broken-tags",
  description = "quarantine tags whose link, revision or manifest blob is missing",
  check = function(store)
    return store:findings("tag-link-broken", "tag-revision-missing", "tag-blob-missing")
  end,
  fix = function(finding, actions)
    actions:drop_tag(finding.repository, finding.tag, finding.problem .. ": " .. finding.detail)
  end,
}
