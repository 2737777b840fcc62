import CLua
import CLuaShim
import Testing

/// The shim replaces string.find/match/gmatch/gsub/rep and table.move/insert/remove with
/// versions that count their work (CLuaShimLibrary.c). These runs compare them with the stock
/// Lua 5.4 library on random patterns, subjects and ranges: results and error messages must be
/// the same, byte for byte.
@Suite("Bounded string and table functions fuzzed against stock Lua")
struct BoundedLibraryFuzzTests {
    /// Random patterns and subjects from atoms that cover every pattern feature and error.
    static let patterns = #"""
        local seed, count = ...
        math.randomseed(seed)
        local atoms = { "a", "b", "%a", "%d", ".", "[ab]", "[^a]", "%%", "(", ")", "()", "%1", "%2", "%b()", "%f[%w]", "$", "^",
          "*", "+", "-", "?", "[a-c]", "%s", "x", "[%a_]", "%w+", "]", "[", "%", "%z", "[%]]", "[a-]", "%A", "%x", "%0", "(a*)",
          "(.-)", "%b", "%f", "%g", "%p", "%c", "%l", "%u", "\0" }
        local letters = { "a", "b", "(", ")", "1", " ", "x", "_", "%", "]", "\0", "A", ".", "-" }
        local replacements = { "%0-%1", "<%%>", "%2", "x", "%9", "%" }
        local function show(t) local o = {} for i = 1, t.n do o[i] = type(t[i]) .. ":" .. tostring(t[i]) end return table.concat(o, ",") end
        local out = {}
        for _ = 1, count do
          local p, s = "", ""
          for _ = 1, math.random(0, 8) do p = p .. atoms[math.random(#atoms)] end
          for _ = 1, math.random(0, 16) do s = s .. letters[math.random(#letters)] end
          local init = math.random(-18, 18)
          out[#out + 1] = show(table.pack(pcall(string.find, s, p, init)))
          out[#out + 1] = show(table.pack(pcall(string.find, s, p, init, true)))
          out[#out + 1] = show(table.pack(pcall(string.match, s, p, init)))
          out[#out + 1] = show(table.pack(pcall(function()
            local r = {}
            for a, b in string.gmatch(s, p, init) do r[#r + 1] = tostring(a) .. "|" .. tostring(b) if #r > 30 then break end end
            return table.concat(r, ";")
          end)))
          out[#out + 1] = show(table.pack(pcall(string.gsub, s, p, replacements[math.random(#replacements)], math.random(-1, 5))))
          out[#out + 1] = show(table.pack(pcall(string.gsub, s, p, function(a) if a == "a" then return nil end return "[" .. tostring(a) .. "]" end)))
          out[#out + 1] = show(table.pack(pcall(string.gsub, s, p, { a = "A", b = false, x = 1 })))
          out[#out + 1] = show(table.pack(pcall(string.rep, ({ "", "ab", "x" })[math.random(3)], math.random(-2, 4),
            ({ nil, "", "," })[math.random(3)])))
        end
        return table.concat(out, "\n")
        """#

    /// Random tables, positions and ranges, holes and a second table included.
    static let tables = #"""
        local seed, count = ...
        math.randomseed(seed)
        local function dump(t)
          local o = {}
          for k, v in pairs(t) do o[#o + 1] = tostring(k) .. "=" .. tostring(v) end
          table.sort(o)
          return table.concat(o, " ")
        end
        local out = {}
        for _ = 1, count do
          local t, u = {}, {}
          for j = 1, math.random(0, 8) do t[j] = j * 10 end
          if math.random() < 0.2 then t[math.random(1, 12)] = "hole" end
          for j = 1, math.random(0, 4) do u[j] = -j end
          local a, b, c = math.random(-3, 12), math.random(-3, 12), math.random(-3, 12)
          local operations = {
            function() return table.insert(t, a) end, function() return table.insert(t, a, b) end,
            function() return table.remove(t) end, function() return table.remove(t, a) end,
            function() return table.move(t, a, b, c) end, function() return table.move(t, a, b, c, u) end,
            function() return table.insert(t, a, b, c) end, function() return table.insert("x", 1) end,
          }
          local which = math.random(#operations)
          local r = table.pack(pcall(operations[which]))
          for k = 1, r.n do r[k] = (r[k] == t and "t") or (r[k] == u and "u") or tostring(r[k]) end
          out[#out + 1] = which .. " " .. table.concat(r, ",", 1, r.n) .. " | " .. dump(t) .. " | " .. dump(u)
        end
        return table.concat(out, "\n")
        """#

    @Test("the same results and errors as stock Lua", arguments: ["patterns", "tables"])
    func sameAsStock(_ name: String) throws {
        let script = name == "patterns" ? Self.patterns : Self.tables
        for seed in 1...20 {
            let stock = try Self.run(script, seed: seed, bounded: false)
            let bounded = try Self.run(script, seed: seed, bounded: true)
            guard stock != bounded else { continue }
            let newline = UInt8(ascii: "\n")
            let pairs = zip(
                stock.split(separator: newline, omittingEmptySubsequences: false), bounded.split(separator: newline, omittingEmptySubsequences: false)
            )
            let (line, (expected, got)) = pairs.enumerated().first { $0.element.0 != $0.element.1 } ?? (0, ([], []))
            let stockLine = String(decoding: expected, as: UTF8.self)
            let shimLine = String(decoding: got, as: UTF8.self)
            Issue.record("\(name), seed \(seed), line \(line): stock Lua gives '\(stockLine)', the shim '\(shimLine)'")
            return
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `script` with (seed, 500) in a stock state or in a shim state; returns its text.
    static func run(_ script: String, seed: Int, bounded: Bool) throws -> [UInt8] {
        let state = bounded ? evictor_vm_new(0, { _, _ in 0 }) : luaL_newstate()
        guard let L = state else { throw Failure(description: "no state") }
        defer { if bounded { evictor_vm_close(L) } else { lua_close(L) } }
        if bounded { evictor_vm_open_safe_libs(L) } else { luaL_openlibs(L) }
        let loaded =
            bounded
            ? evictor_vm_load(L, script, script.utf8.count, "=script")
            : luaL_loadbufferx(L, script, script.utf8.count, "=script", nil)
        guard loaded == LUA_OK else { throw Failure(description: "load: \(String(cString: clua_tostring(L, -1)))") }
        lua_pushinteger(L, lua_Integer(seed))
        lua_pushinteger(L, 500)
        let status = bounded ? evictor_vm_pcall(L, 2, 1) : lua_pcallk(L, 2, 1, 0, 0, nil)
        guard status == LUA_OK, let text = clua_tostring(L, -1) else {
            throw Failure(description: "run: \(clua_tostring(L, -1).map { String(cString: $0) } ?? "?")")
        }
        var length = 0
        _ = lua_tolstring(L, -1, &length)
        return Array(UnsafeRawBufferPointer(start: text, count: length))
    }
}
