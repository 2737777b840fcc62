-- stale-uploads: uploads started long ago and never finished (`--upload-age` hours, default 24).
--
-- The registry's own upload purging only runs while it serves; stores that are read-only or
-- rarely restarted keep them forever.
return evictor.fixer {
  name = "stale-uploads",
  description = "quarantine uploads older than --upload-age hours",
  check = function(store)
    return store:findings("stale-upload")
  end,
  fix = function(finding, actions)
    actions:quarantine(finding.path, "stale upload: " .. finding.detail)
  end,
}
