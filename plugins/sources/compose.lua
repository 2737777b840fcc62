-- compose: images named by Docker Compose files (v1, v2, v3 and the Compose Specification).
--
-- Reads services.*.image, interpolating variables the way Compose does:
--   $$ (a literal $), $VAR, ${VAR}, ${VAR:-default} (unset or empty), ${VAR-default} (unset),
--   ${VAR:?message} / ${VAR?message} (error), ${VAR:+alt} / ${VAR+alt}.
-- Values come from the process environment, then from a .env file beside the compose file
-- (the environment wins, as in Compose). Services that only build (no image) are logged
-- and skipped: they are not pulled from a registry.
--
--   evictor inventory --source compose:'deploy/*/docker-compose.yml'
--   evictor inventory --source compose --option compose.files=a.yml,b.yml
return evictor.source {
  name = "compose",
  version = "1.0",
  description = "images from Docker Compose files (globs allowed), with variable interpolation",
  argument = "files",
  options = {
    files = { type = "list", default = { "docker-compose.yml" }, description = "compose files or globs" },
    env_file = { type = "string", description = "a .env file to use instead of the one beside each compose file" },
  },
  capabilities = { read = true, glob = true, env = true },

  collect = function(opts, host)
    local function read(path)
      local text, err = host.read_file(path)
      if not text then error(err, 0) end
      return text
    end

    -- .env: KEY=VALUE lines, optional "export ", quotes stripped, # comments.
    local function load_dotenv(path)
      local values = {}
      if not host.exists(path) then return values end
      for line in (read(path) .. "\n"):gmatch("([^\n]*)\n") do
        local key, value = line:match("^%s*export%s+([%w_]+)%s*=%s*(.-)%s*$")
        if not key then key, value = line:match("^%s*([%w_]+)%s*=%s*(.-)%s*$") end
        if key then
          local quoted = value:match('^"(.*)"$') or value:match("^'(.*)'$")
          if quoted then value = quoted else value = value:gsub("%s+#.*$", "") end
          values[key] = value
        end
      end
      return values
    end

    local function interpolate(text, dotenv, where)
      local function lookup(name)
        local value = host.env(name)
        if value == nil then value = dotenv[name] end
        return value
      end
      local out, i = {}, 1
      while i <= #text do
        local c = text:sub(i, i)
        if c ~= "$" then
          out[#out + 1] = c
          i = i + 1
        elseif text:sub(i + 1, i + 1) == "$" then
          out[#out + 1] = "$"
          i = i + 2
        elseif text:sub(i + 1, i + 1) == "{" then
          local close = text:find("}", i + 2, true)
          if not close then error(where .. ": unterminated ${ in " .. text, 0) end
          local body = text:sub(i + 2, close - 1)
          local name, op, arg = body:match("^([%a_][%w_]*)(:?[%-%?%+])(.*)$")
          if not name then
            name = body:match("^([%a_][%w_]*)$")
            if not name then error(where .. ": invalid interpolation ${" .. body .. "}", 0) end
          end
          local value = lookup(name)
          local unset, empty = value == nil, value == nil or value == ""
          if op == ":-" then value = empty and arg or value
          elseif op == "-" then value = unset and arg or value
          elseif op == ":?" or op == "?" then
            if (op == ":?" and empty) or (op == "?" and unset) then
              error(string.format("%s: variable %s is required: %s", where, name, arg), 0)
            end
          elseif op == ":+" then value = (not empty) and arg or ""
          elseif op == "+" then value = (not unset) and arg or ""
          end
          out[#out + 1] = value or ""
          i = close + 1
        else
          local name = text:match("^[%a_][%w_]*", i + 1)
          if name then
            out[#out + 1] = lookup(name) or ""
            i = i + 1 + #name
          else
            out[#out + 1] = "$"
            i = i + 1
          end
        end
      end
      return table.concat(out)
    end

    local files = {}
    for _, pattern in ipairs(opts.files) do
      if pattern:find("[%*%?%[]") then
        local matched = host.glob(pattern)
        if #matched == 0 then evictor.log.warning("compose: no file matches " .. pattern) end
        for _, path in ipairs(matched) do files[#files + 1] = path end
      else
        files[#files + 1] = pattern
      end
    end
    if #files == 0 then error("no compose files to read", 0) end

    local images = {}
    for _, path in ipairs(files) do
      local directory = path:match("^(.*)/[^/]*$") or "."
      local dotenv = load_dotenv(opts.env_file or (directory .. "/.env"))
      local ok, document = pcall(evictor.yaml.decode, read(path))
      if not ok then error(path .. ": " .. tostring(document):gsub("^.-evictor%.yaml%.decode: ", ""), 0) end
      if type(document) ~= "table" then error(path .. ": not a compose file", 0) end
      -- Compose v1 has services at the top level.
      local services = document.services
      if services == nil and document.version == nil then services = document end
      if type(services) ~= "table" then error(path .. ": no services", 0) end
      local names = {}
      for name in pairs(services) do names[#names + 1] = name end
      table.sort(names)
      for _, name in ipairs(names) do
        local service = services[name]
        if type(service) == "table" then
          if type(service.image) == "string" then
            local image = interpolate(service.image, dotenv, path .. ": service " .. name)
            images[#images + 1] = { image = image, seen_at = "compose;" .. path .. ";" .. name }
          elseif service.build ~= nil then
            evictor.log.info(string.format("compose: %s: service %s only builds an image; skipped", path, name))
          end
        end
      end
    end
    return images
  end,
}
