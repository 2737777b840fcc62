-- usage: images pulled recently, from the pull history `evictor serve` records from the
-- registry's notifications (README "Pull history"), as in-use references.
--
-- Every manifest pulled within `days` days becomes an in-use reference by digest (so every
-- tag on it is in use), and so does each tag the history saw on it. With `in-use.lua` and
-- the engine's rails, what CI runners, laptops or unlisted clusters pull is treated like what
-- the clusters run. It reads the state directory of the config (`evictor run`, `serve`, or
-- `evictor inventory --config F`).
--
--   evictor inventory --config evictor.yaml --source usage --source k8s
--   evictor inventory --config evictor.yaml --source usage --option usage.days=7
return evictor.source {
  name = "usage",
  version = "1.0",
  description = "images pulled within N days (the pull history of evictor serve)",
  argument = "days",
  options = {
    days = { type = "number", default = 30, description = "a pull within this many days makes an image in use" },
  },
  capabilities = { usage = true },

  collect = function(opts, host)
    local images = {}
    for _, m in ipairs(host.pulled(opts.days)) do
      local where = string.format("usage;%s;pulled %s (%d pulls)", m.registry, evictor.time.format(m.last_pulled):sub(1, 10), m.pull_count)
      local base = m.registry .. "/" .. m.repository
      images[#images + 1] = { image = base .. "@" .. m.digest, seen_at = where }
      for _, tag in ipairs(m.tags) do
        images[#images + 1] = { image = base .. ":" .. tag, digest = m.digest, seen_at = where }
      end
    end
    return images
  end,
}
