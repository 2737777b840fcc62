import LuaRuntime

/// An option a source or policy declares: `options = { keep = { type = "number", default = 3,
/// description = "..." } }`, set on the command line as `KEY=VALUE`.
public struct PluginOption: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case string, number, boolean, list
    }

    public var name: String
    public var kind: Kind
    public var description: String
    public var defaultValue: LuaValue
    public var required: Bool

    /// Reads a spec's `options` table.
    static func parseDeclarations(_ value: LuaValue, file: String) throws(ScriptingError) -> [PluginOption] {
        guard value != .nil else { return [] }
        guard case .table(let table) = value else { throw .invalidSpec(file: file, reason: "'options' must be a table") }
        var options: [PluginOption] = []
        for (key, element) in table.entries {
            guard let name = key.stringValue, case .table(let declaration) = element else {
                throw .invalidSpec(file: file, reason: "each option must be NAME = { type = ..., description = ... }")
            }
            let kindName = declaration["type"].stringValue ?? "string"
            guard let kind = Kind(rawValue: kindName) else {
                throw .invalidSpec(file: file, reason: "option '\(name)': unknown type '\(kindName)' (string, number, boolean, list)")
            }
            options.append(
                PluginOption(
                    name: name, kind: kind, description: declaration["description"].stringValue ?? "",
                    defaultValue: declaration["default"], required: declaration["required"].isTruthy
                ))
        }
        return options.sorted { $0.name < $1.name }
    }

    /// The options table a plugin sees: defaults, then `KEY=VALUE` settings converted to the
    /// declared types. Unknown keys, bad values and missing required options are errors.
    static func resolve(_ options: [PluginOption], owner: String, settings: [(String, String)]) throws(ScriptingError) -> LuaValue {
        var table = LuaTable()
        for option in options where option.defaultValue != .nil { table[option.name] = option.defaultValue }
        for (key, text) in settings {
            table[key] = try named(key, in: options, owner: owner).convert(text, owner: owner)
        }
        for option in options where option.required && table[option.name] == .nil {
            throw .invalidOption("\(owner) needs option '\(option.name)'")
        }
        return .table(table)
    }

    static func named(_ key: String, in options: [PluginOption], owner: String) throws(ScriptingError) -> PluginOption {
        guard let option = options.first(where: { $0.name == key }) else {
            let known = options.map(\.name).joined(separator: ", ")
            throw .invalidOption("\(owner) has no option '\(key)' (options: \(known.isEmpty ? "none" : known))")
        }
        return option
    }

    func convert(_ text: String, owner: String) throws(ScriptingError) -> LuaValue {
        switch kind {
        case .string:
            return .string(LuaString(text))
        case .number:
            if let integer = Int64(text) { return .integer(integer) }
            guard let number = Double(text) else { throw .invalidOption("\(owner): option '\(name)' must be a number, got '\(text)'") }
            return .number(number)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1": return .boolean(true)
            case "false", "no", "0": return .boolean(false)
            default: throw .invalidOption("\(owner): option '\(name)' must be true or false, got '\(text)'")
            }
        case .list:
            return .table(LuaTable(array: text.split(separator: ",").map { .string(LuaString(String($0))) }))
        }
    }
}
