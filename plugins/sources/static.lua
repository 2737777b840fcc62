-- static: images listed in a file.
--
-- Reads three formats, told apart by their content:
--   * Evictor's own images.json ("format": "evictor-inventory"), e.g. from another cluster;
--   * the original k8s-inventory.py images.json: an object keyed by image reference whose
--     values hold "_digest", "_last_wanted" and one key per place the image was seen
--     (pod entries such as "context;namespace;pod");
--   * a plain list: one reference per line, "#" starts a comment, blank lines are skipped.
--
--   evictor inventory --source static:images.json
--   evictor inventory --source static --option static.path=/etc/evictor/keep.txt
return evictor.source {
  name = "static",
  version = "1.0",
  description = "images from a file: evictor images.json, the original images.json, or a plain list",
  argument = "path",
  options = {
    path = { type = "string", required = true, description = "the file to read" },
  },
  capabilities = { read = true },

  collect = function(opts, host)
    local text, err = host.read_file(opts.path)
    if not text then error(err, 0) end
    local where = "static;" .. opts.path
    local images = {}

    local first = text:match("^%s*(%S)")
    if first ~= "{" then
      local n = 0
      for line in (text .. "\n"):gmatch("([^\n]*)\n") do
        n = n + 1
        local reference = line:gsub("#.*$", ""):match("^%s*(.-)%s*$")
        if reference ~= "" then
          images[#images + 1] = { image = reference, seen_at = where .. ":" .. n }
        end
      end
      return images
    end

    local document = evictor.json.decode(text)
    if type(document) ~= "table" then error(opts.path .. ": expected a JSON object", 0) end

    if document.format == "evictor-inventory" then
      for i, entry in ipairs(document.images or {}) do
        if type(entry) ~= "table" or type(entry.reference) ~= "string" then
          error(string.format("%s: images[%d] has no reference", opts.path, i), 0)
        end
        images[#images + 1] = {
          image = entry.reference,
          seen_at = (entry.seen_at and #entry.seen_at > 0) and entry.seen_at or { where },
          last_wanted = entry.last_wanted,
        }
      end
      return images
    end

    -- The original collector's format: keyed by image.
    local references = {}
    for reference in pairs(document) do references[#references + 1] = reference end
    table.sort(references)
    for _, reference in ipairs(references) do
      local entry = document[reference]
      if type(entry) ~= "table" then
        error(string.format("%s: entry %q is not an object", opts.path, reference), 0)
      end
      local seen = {}
      for key in pairs(entry) do
        if type(key) == "string" and key:sub(1, 1) ~= "_" then seen[#seen + 1] = "k8s;" .. key end
      end
      table.sort(seen)
      if #seen == 0 then seen = { where } end
      local last = entry._last_wanted
      if type(last) == "number" then last = math.floor(last) end
      images[#images + 1] = {
        image = reference,
        digest = type(entry._digest) == "string" and entry._digest ~= "" and entry._digest or nil,
        seen_at = seen,
        last_wanted = last,
      }
    end
    return images
  end,
}
