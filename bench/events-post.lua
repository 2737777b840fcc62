-- wrk script: POST one Distribution notification per request (a manifest GET by a client, as
-- the registry sends them one event at a time), each with a new event and request id.
local counter = 0
local threads = {}
setup = function(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end
init = function(args)
  digests = {}
  for line in io.lines(args[1]) do
    local repo, sha = line:match("^(%S+)%s+(%S+)$")
    if repo then digests[#digests + 1] = { repo = repo, sha = sha } end
  end
  token = args[2]
end
request = function()
  counter = counter + 1
  local digest = digests[counter % #digests + 1]
  local key = string.format("bench-%d-%d", id, counter)
  local body = string.format(
    '{"events":[{"id":"%s","timestamp":"2026-11-30T12:00:00Z","action":"pull","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","repository":"%s","tag":"v1"},"request":{"id":"req-%s","method":"GET","useragent":"bench"}}]}',
    key, digest.sha, digest.repo, key)
  return wrk.format("POST", wrk.path, { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/vnd.docker.distribution.events.v1+json" }, body)
end
