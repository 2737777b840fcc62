import EvictorCore
import Foundation
import LuaRuntime

/// Installs the `evictor` global every plugin sees: the spec constructors (`evictor.source`,
/// `evictor.fixer`, `evictor.policy`, in `Lua/api.lua`), `evictor.log.*`, and `evictor.json` /
/// `evictor.yaml` decoders. Nothing here reaches outside the VM except the log.
enum EvictorAPI {
    /// Installs the API; returns `run_plugin(chunk)` (kind, spec): the only way the engine learns
    /// which constructor made a plugin's spec (kept where no plugin can read or forge it).
    @discardableResult
    static func install(in vm: LuaVM, log: @escaping LuaLogHandler) throws(LuaError) -> LuaFunctionReference {
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
        guard case .function(let runPlugin)? = try EngineLua.run("api.lua", in: vm).first else {
            throw .setupFailed("evictor/api.lua did not return run_plugin")
        }
        return runPlugin
    }
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
