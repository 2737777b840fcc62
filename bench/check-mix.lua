-- wrk script: GET the manifests `evictor check --all` fetches, round-robin.
-- (wrk 4.1 cannot time HEAD, it waits for a body: blob HEADs are measured by loadgen.c.)
local paths = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {
    ["Accept"] = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json",
  })
end
