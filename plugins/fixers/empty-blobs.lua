-- empty-blobs: blob data files of zero bytes (an interrupted write).
--
-- No valid blob is empty except the empty layer's own digest, which never has zero-byte data
-- either (a gzip or tar of nothing has bytes). The blob directory goes to the quarantine.
return evictor.fixer {
  name = "empty-blobs",
  description = "quarantine zero-byte blob data",
  check = function(store)
    return store:findings("empty-blob")
  end,
  fix = function(finding, actions)
    actions:quarantine_blob(finding.digest, "zero-byte blob data")
  end,
}
