-- Dotted names of every function under `evictor` in a fresh plugin VM (for the type
-- definitions' test and for documentation).

local names = {}
local function walk(prefix, t, depth)
  for key, value in pairs(t) do
    if type(key) == "string" and key:sub(1, 2) ~= "__" then
      if type(value) == "function" then names[#names + 1] = prefix .. key
      elseif type(value) == "table" and depth < 4 then walk(prefix .. key .. ".", value, depth + 1) end
    end
  end
end
walk("evictor.", evictor, 0)
table.sort(names)
return names
