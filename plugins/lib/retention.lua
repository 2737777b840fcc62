-- retention: rule pieces shared by the built-in policies (policies/*.lua) and by your own.
--
--   local retention = require("lib.retention")
--
-- Option checkers raise "option 'NAME': ..." errors (level 0, no file position), so a plan
-- with a bad option stops before anything is deleted. Call them at the top of decide.
local retention = {}

-- Compiled regular expressions by pattern: decide runs once per repository, the options do
-- not change between calls.
local compiled = {}

---A regular-expression option compiled, or nil when it is unset or empty (`--policy-option
---exclude=` switches a pattern off). Raises "option 'NAME': invalid regular expression ...".
---@param value string|nil  the option's value (ctx.options[name])
---@param name string       the option's name, for the error message
---@return evictor.Regex|nil
function retention.regex_option(value, name)
  if value == nil or value == "" then return nil end
  if type(value) ~= "string" then
    error(string.format("option '%s': expected a regular expression, got a %s", name, type(value)), 0)
  end
  local regex = compiled[value]
  if regex == nil then
    local ok, result = pcall(evictor.regex.compile, value)
    if not ok then
      error(string.format("option '%s': invalid regular expression %q: %s", name, value, tostring(result)), 0)
    end
    regex = result
    compiled[value] = regex
  end
  return regex
end

---Whether `text` is selected: it matches `include` (nil: everything is included) and does not
---match `exclude` (nil: nothing is excluded). Both are compiled regexes (see regex_option).
---@param text string
---@param include evictor.Regex|nil
---@param exclude evictor.Regex|nil
---@return boolean
function retention.selects(text, include, exclude)
  if include ~= nil and not include:match(text) then return false end
  if exclude ~= nil and exclude:match(text) then return false end
  return true
end

---A time option as Unix seconds, or nil when unset or empty. Takes RFC 3339
---("2016-06-25T12:00:00Z"), and, like the original clean_old_versions.py, a time without a
---zone ("2016-06-25T12:00:00", read as UTC) or a bare date ("2016-06-25", midnight UTC).
---Raises "option 'NAME': not an RFC 3339 time ...".
---@param value string|number|nil  a `time` option is Unix seconds already
---@param name string
---@return number|nil seconds
function retention.parse_time_option(value, name)
  if value == nil or value == "" then return nil end
  -- A `time` option arrives as Unix seconds already (checked when the policy was loaded).
  if type(value) == "number" then return value end
  if type(value) ~= "string" then
    error(string.format("option '%s': expected an RFC 3339 time, got a %s", name, type(value)), 0)
  end
  local seconds = evictor.time.parse(value)
  if seconds == nil and value:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d[%.%d]*$") then
    seconds = evictor.time.parse(value .. "Z")
  elseif seconds == nil and value:match("^%d%d%d%d%-%d%d%-%d%d$") then
    seconds = evictor.time.parse(value .. "T00:00:00Z")
  end
  if seconds == nil then
    error(string.format("option '%s': not an RFC 3339 time: %q (e.g. 2016-06-25T12:00:00Z)", name, value), 0)
  end
  return seconds
end

---A number option checked to be finite and >= 0 (and whole when `whole` is true; returned as
---an integer then). Raises "option 'NAME': expected ...".
---@param value any
---@param name string
---@param whole? boolean
---@return number
function retention.number_option(value, name, whole)
  local ok = type(value) == "number" and value == value and value >= 0 and value < math.huge
  if ok and whole then ok = math.tointeger(value) ~= nil end
  if not ok then
    error(string.format("option '%s': expected a %s, got %s", name,
      whole and "whole number >= 0" or "number >= 0", tostring(value)), 0)
  end
  return whole and math.tointeger(value) or value
end

---A string option that must be one of `choices`. Raises "option 'NAME': expected one of ...".
---@param value any
---@param name string
---@param choices string[]
---@return string
function retention.choice_option(value, name, choices)
  for _, choice in ipairs(choices) do
    if value == choice then return value end
  end
  error(string.format("option '%s': expected one of %s, got %s", name, table.concat(choices, ", "), tostring(value)), 0)
end

local function by_created(a, b)
  if a.created ~= b.created then
    if a.created == nil then return false end
    if b.created == nil then return true end
    return a.created > b.created
  end
  return a.name > b.name
end

local function by_name(a, b)
  return a.name > b.name
end

local function by_version(a, b)
  local order = evictor.semver.compare(a.name, b.name)
  if order ~= 0 then return order > 0 end
  return a.name > b.name -- "v1.2" and "1.2.0" are the same version: a fixed order anyway
end

---The orders sort_newest_first knows.
retention.orders = { "created", "name", "semver" }

---A new array of `tags`, newest first (the input is not changed):
---  "created": image created time descending, unknown times last, ties by name descending
---             (the order repo.tags already has);
---  "name":    tag name descending, byte by byte ("0.1.10" sorts before "0.1.9": use semver);
---  "semver":  semantic version descending (prereleases below their release); tags whose name
---             is not a version are left out of the first result and returned, in input order,
---             as the second.
---@param tags evictor.Tag[]
---@param order "created"|"name"|"semver"
---@return evictor.Tag[] sorted
---@return evictor.Tag[] unversioned  only for "semver"; empty otherwise
function retention.sort_newest_first(tags, order)
  local sorted, unversioned = {}, {}
  for _, tag in ipairs(tags) do
    if order == "semver" and evictor.semver.parse(tag.name) == nil then
      unversioned[#unversioned + 1] = tag
    else
      sorted[#sorted + 1] = tag
    end
  end
  if order == "created" then
    table.sort(sorted, by_created)
  elseif order == "name" then
    table.sort(sorted, by_name)
  elseif order == "semver" then
    table.sort(sorted, by_version)
  else
    error(string.format("unknown order %s (expected %s)", tostring(order), table.concat(retention.orders, ", ")), 2)
  end
  return sorted, unversioned
end

---Keeps the first `n` of `tags` (a newest-first array) with `reason`; returns the others, in
---order, as a new array.
---@param tags evictor.Tag[]
---@param n integer
---@param reason string
---@return evictor.Tag[] rest
function retention.keep_first(tags, n, reason)
  local rest = {}
  for i, tag in ipairs(tags) do
    if i <= n then tag:keep(reason) else rest[#rest + 1] = tag end
  end
  return rest
end

---Keeps every in-use tag of `tags` (a newest-first array) with reason `reason_prefix` (default
---"in use: ") followed by where it is used, and the `before` tags after it in the array (the
---next older ones: rollback targets).
---@param tags evictor.Tag[]
---@param before integer
---@param reason_prefix? string
function retention.keep_around_in_use(tags, before, reason_prefix)
  reason_prefix = reason_prefix or "in use: "
  for i, tag in ipairs(tags) do
    if tag.in_use then
      tag:keep(reason_prefix .. (tag.used_by and tag.used_by[1] or "inventory"))
      for j = i + 1, math.min(i + before, #tags) do
        tags[j]:keep(string.format("one of the %d tags before in-use tag %s", before, tag.name))
      end
    end
  end
end

return retention
