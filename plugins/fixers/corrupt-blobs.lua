-- corrupt-blobs: blobs whose data does not hash to their digest (`storage scan --verify-blobs`,
-- `storage fix --verify-blobs`): bit rot or a truncated copy. Every pull of an image using it
-- fails its digest check. The blob goes to the quarantine; `unpullable-images` then sees the
-- images that referenced it on the next scan, and a push uploads the layer again.
return evictor.fixer {
  name = "corrupt-blobs",
  description = "quarantine blobs whose content does not match their digest",
  check = function(store)
    return store:findings("blob-digest-mismatch")
  end,
  fix = function(finding, actions)
    actions:quarantine_blob(finding.digest, finding.detail)
  end,
}
