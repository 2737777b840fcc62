import EvictorCore
import Foundation
import LuaRuntime

/// Installs the `evictor` global every plugin sees: the spec constructors (`evictor.source`,
/// `evictor.fixer`, `evictor.policy`), `evictor.log.*`, and `evictor.json` / `evictor.yaml`
/// decoders. Nothing here reaches outside the VM except the log.
enum EvictorAPI {
    static func install(in vm: LuaVM, log: @escaping LuaLogHandler) throws(LuaError) {
        for level in LuaLogLevel.allCases {
            vm.register(function: "evictor.log.\(level.rawValue)") { arguments in
                log(level, arguments.map(\.description).joined(separator: " "))
                return []
            }
        }
        vm.register(function: "evictor.json.decode") { arguments in
            guard let text = arguments.first, case .string(let bytes) = text else { throw LuaHostError("expects a string") }
            return [try StructuredData.fromJSON(Data(bytes.bytes))]
        }
        vm.register(function: "evictor.yaml.decode") { arguments in
            guard let text = arguments.first?.stringValue else { throw LuaHostError("expects a UTF-8 string") }
            return [try StructuredData.fromYAML(text)]
        }
        vm.register(function: "evictor.time.now") { _ in [.number(Date().timeIntervalSince1970)] }
        vm.register(function: "evictor.time.parse") { arguments in
            guard let text = arguments.first?.stringValue else { throw LuaHostError("expects an RFC 3339 time string") }
            guard let date = Timestamp.parse(text) else { return [.nil, .string(LuaString("not an RFC 3339 time: \(text.prefix(64))"))] }
            return [.number(date.timeIntervalSince1970)]
        }
        vm.register(function: "evictor.time.format") { arguments in
            guard let seconds = arguments.first?.doubleValue else { throw LuaHostError("expects unix seconds") }
            return [.string(LuaString(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))))]
        }
        PatternLibrary.install(in: vm)
        _ = try vm.runEngineChunk(named: "api.lua", source: specPrelude)
    }

    /// The spec constructors, in Lua so errors point at the plugin's own line.
    static let specPrelude = #"""
    local function constructor(kind, required)
      return function(spec)
        if type(spec) ~= "table" then
          error("evictor." .. kind .. " expects a table", 2)
        end
        if type(spec.name) ~= "string" or spec.name == "" then
          error("evictor." .. kind .. ": 'name' must be a non-empty string", 2)
        end
        for field, expected in pairs(required) do
          if type(spec[field]) ~= expected then
            error(string.format("evictor.%s '%s': '%s' must be a %s", kind, spec.name, field, expected), 2)
          end
        end
        for _, field in ipairs({ "description", "version" }) do
          if spec[field] ~= nil and type(spec[field]) ~= "string" then
            error(string.format("evictor.%s '%s': '%s' must be a string", kind, spec.name, field), 2)
          end
        end
        spec.__kind = kind
        return spec
      end
    end
    evictor.time.days = function(n) return n * 86400 end
    evictor.source = constructor("source", { collect = "function" })
    evictor.fixer = constructor("fixer", { check = "function", fix = "function" })
    evictor.policy = constructor("policy", { decide = "function" })

    -- Compiled-pattern objects over the host functions. A host function run by pcall has
    -- pcall (a C function) as its caller, so its error message carries no position; the
    -- wrapper raises it at its own caller's line (level 2), like the host function would.
    local pcall, error = pcall, error
    local match, find, check_pattern = evictor.regex.match, evictor.regex.find, evictor.regex.compile
    local regex_methods = {}
    function regex_methods:match(text)
      local ok, result = pcall(match, self.pattern, text)
      if not ok then error(result, 2) end
      return result
    end
    function regex_methods:find(text)
      local ok, result = pcall(find, self.pattern, text)
      if not ok then error(result, 2) end
      return result
    end
    local regex_meta = { __index = regex_methods, __tostring = function(self) return "regex(" .. self.pattern .. ")" end }
    function evictor.regex.compile(pattern)
      local ok, message = pcall(check_pattern, pattern)
      if not ok then error(message, 2) end
      return setmetatable({ pattern = pattern }, regex_meta)
    end

    function evictor.policy_test(spec)
      if type(spec) ~= "table" then error("evictor.policy_test expects a table", 2) end
      if type(spec.policy) ~= "string" then error("evictor.policy_test: 'policy' must be the policy file (relative to this file)", 2) end
      if type(spec.cases) ~= "table" or #spec.cases == 0 then error("evictor.policy_test: 'cases' must be a non-empty list", 2) end
      spec.__kind = "policy_test"
      return spec
    end
    """#
}

/// JSON and YAML documents as Lua values (null becomes nil, so absent in tables).
enum StructuredData {
    static let maxDepth = 100

    static func fromJSON(_ data: Data) throws -> LuaValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data).value
        } catch let error as LuaHostError {
            throw error
        } catch {
            throw LuaHostError("invalid JSON")
        }
    }

    static func fromYAML(_ text: String) throws -> LuaValue {
        try YAMLDocument.decode(text, maxDepth: maxDepth)
    }
}

/// A JSON document decoded without Foundation's number/boolean ambiguity.
private struct JSONValue: Decodable {
    let value: LuaValue

    init(from decoder: Decoder) throws {
        if decoder.codingPath.count > StructuredData.maxDepth {
            throw LuaHostError("document nested deeper than \(StructuredData.maxDepth) levels")
        }
        if var array = try? decoder.unkeyedContainer() {
            var items: [LuaValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self).value) }
            value = .table(LuaTable(array: items))
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var table = LuaTable()
            for key in object.allKeys { table[key.stringValue] = try object.decode(JSONValue.self, forKey: key).value }
            value = .table(table)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            value = .nil
        } else if let flag = try? single.decode(Bool.self) {
            value = .boolean(flag)
        } else if let integer = try? single.decode(Int64.self) {
            value = .integer(integer)
        } else if let number = try? single.decode(Double.self) {
            value = .number(number)
        } else {
            value = .string(LuaString(try single.decode(String.self)))
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
