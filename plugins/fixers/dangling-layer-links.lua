-- dangling-layer-links: `_layers` links to blobs that are gone.
--
-- The registry answers HEAD for such a layer from the link and then fails the GET; a push of
-- the same layer is skipped because the registry believes it has it. Quarantining the link
-- makes the next push upload the layer again.
return evictor.fixer {
  name = "dangling-layer-links",
  description = "quarantine layer links whose blob is gone",
  check = function(store)
    return store:findings("layer-link-blob-missing")
  end,
  fix = function(finding, actions)
    actions:drop_layer_link(finding.repository, finding.digest, finding.detail)
  end,
}
