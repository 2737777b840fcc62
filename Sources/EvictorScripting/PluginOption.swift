import Foundation
import LuaRuntime

/// An option a source, policy or fixer declares: `options = { keep = { type = "integer",
/// default = 3, description = "..." } }`. Every kind of plugin is configured the same way
/// (`--option NAME.KEY=VALUE`, the config file's `options`, a test case's `options`): values
/// are checked against the declared type once, when the plugin is loaded (defaults included),
/// and the plugin receives them converted. Names are snake_case; a `-` given for a `_` is
/// accepted (`env-file` sets `env_file`).
public struct PluginOption: Sendable, Equatable {
    /// The declared type and what the plugin receives.
    public enum Kind: String, Sendable, CaseIterable {
        /// Any text.
        case string
        /// A number (integer or not).
        case number
        /// A whole number.
        case integer
        /// `true`/`false` (also yes/no, 1/0 on the command line).
        case boolean
        /// Strings; on the command line, comma-separated.
        case list
        /// A regular expression (ICU), checked to compile; received as its text.
        case regex
        /// Seconds: a number, or `90s`, `30m`, `12h`, `7d`, `2w`; received as seconds.
        case duration
        /// A time: Unix seconds, or RFC 3339 (`2026-06-25T12:00:00Z`, a time without zone is
        /// UTC, a date alone is midnight UTC); received as Unix seconds.
        case time
        /// One of the declaration's `values`.
        case `enum`
    }

    public var name: String
    public var kind: Kind
    public var description: String
    public var defaultValue: LuaValue
    public var required: Bool
    /// The allowed values of an `enum`.
    public var values: [String]

    public init(name: String, kind: Kind, description: String = "", defaultValue: LuaValue = .nil, required: Bool = false, values: [String] = []) {
        self.name = name
        self.kind = kind
        self.description = description
        self.defaultValue = defaultValue
        self.required = required
        self.values = values
    }

    /// Reads a spec's `options` table; a default that does not fit its type is an error.
    static func parseDeclarations(_ value: LuaValue, file: String) throws(ScriptingError) -> [PluginOption] {
        guard value != .nil else { return [] }
        guard case .table(let table) = value else { throw .invalidSpec(file: file, reason: "'options' must be a table") }
        var options: [PluginOption] = []
        for (key, element) in table.entries {
            guard let name = key.stringValue, case .table(let declaration) = element else {
                throw .invalidSpec(file: file, reason: "each option must be NAME = { type = ..., description = ... }")
            }
            guard Self.isSnakeCase(name) else {
                throw .invalidSpec(
                    file: file, reason: "option '\(name)': names are snake_case (\(name.lowercased().replacingOccurrences(of: "-", with: "_")))")
            }
            let kindName = declaration["type"].stringValue ?? "string"
            guard let kind = Kind(rawValue: kindName) else {
                let known = Kind.allCases.map(\.rawValue).joined(separator: ", ")
                throw .invalidSpec(file: file, reason: "option '\(name)': unknown type '\(kindName)' (\(known))")
            }
            var values: [String] = []
            if kind == .enum {
                guard case .table(let list) = declaration["values"], let array = list.arrayValues, !array.isEmpty,
                    array.allSatisfy({ $0.stringValue != nil })
                else {
                    throw .invalidSpec(file: file, reason: "option '\(name)': an enum needs values = { \"a\", \"b\", ... }")
                }
                values = array.compactMap(\.stringValue)
            }
            var option = PluginOption(
                name: name, kind: kind, description: declaration["description"].stringValue ?? "", required: declaration["required"].isTruthy,
                values: values)
            if declaration["default"] != .nil {
                do {
                    option.defaultValue = try option.check(declaration["default"], owner: "default")
                } catch {
                    let detail = error.optionReason.replacingOccurrences(of: "default: option '\(name)': ", with: "")
                    throw .invalidSpec(file: file, reason: "option '\(name)': the default: \(detail)")
                }
            }
            options.append(option)
        }
        return options.sorted { $0.name < $1.name }
    }

    /// The options table a plugin sees: defaults, then `KEY=VALUE` settings converted to the
    /// declared types. Unknown keys, bad values and missing required options are errors.
    static func resolve(_ options: [PluginOption], owner: String, settings: [(String, String)]) throws(ScriptingError) -> LuaValue {
        var table = defaults(options)
        for (key, text) in settings {
            let option = try named(key, in: options, owner: owner)
            table[option.name] = try option.convert(text, owner: owner)
        }
        return try complete(table, options, owner: owner)
    }

    /// The same from values already typed (a test case's `options`, a YAML number): each
    /// is checked as a command-line value would be.
    static func resolve(_ options: [PluginOption], owner: String, values: LuaTable) throws(ScriptingError) -> LuaValue {
        var table = defaults(options)
        for (key, value) in values.entries {
            guard let keyName = key.stringValue else { throw .invalidOption("\(owner): option names are strings") }
            let option = try named(keyName, in: options, owner: owner)
            table[option.name] = try option.check(value, owner: owner)
        }
        return try complete(table, options, owner: owner)
    }

    private static func defaults(_ options: [PluginOption]) -> LuaTable {
        var table = LuaTable()
        for option in options where option.defaultValue != .nil { table[option.name] = option.defaultValue }
        return table
    }

    private static func complete(_ table: LuaTable, _ options: [PluginOption], owner: String) throws(ScriptingError) -> LuaValue {
        for option in options where option.required && table[option.name] == .nil {
            throw .invalidOption("\(owner) needs option '\(option.name)'")
        }
        return .table(table)
    }

    /// The declared option `key` names (`-` read as `_`).
    static func named(_ key: String, in options: [PluginOption], owner: String) throws(ScriptingError) -> PluginOption {
        let normalised = key.replacingOccurrences(of: "-", with: "_")
        guard let option = options.first(where: { $0.name == normalised }) else {
            let known = options.map(\.name).joined(separator: ", ")
            throw .invalidOption("\(owner) has no option '\(key)' (options: \(known.isEmpty ? "none" : known))")
        }
        return option
    }

    /// A command-line value converted to the declared type.
    func convert(_ text: String, owner: String) throws(ScriptingError) -> LuaValue {
        switch kind {
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1": return .boolean(true)
            case "false", "no", "0": return .boolean(false)
            default: throw failure(owner, "true or false", .string(LuaString(text)))
            }
        case .list:
            return .table(LuaTable(array: text.split(separator: ",").map { .string(LuaString(String($0))) }))
        case .number, .integer:
            if let integer = Int64(text) { return try check(.integer(integer), owner: owner) }
            guard let number = Double(text), number.isFinite else {
                throw failure(owner, kind == .integer ? "an integer" : "a number", .string(LuaString(text)))
            }
            return try check(.number(number), owner: owner)
        default:
            return try check(.string(LuaString(text)), owner: owner)
        }
    }

    /// A typed value checked (and converted: durations and times to seconds).
    func check(_ value: LuaValue, owner: String) throws(ScriptingError) -> LuaValue {
        switch (kind, value) {
        case (.string, .string): return value
        case (.number, .integer), (.number, .number): return value
        case (.integer, .integer): return value
        case (.integer, .number(let number)) where number.rounded() == number && abs(number) < 9e15: return .integer(Int64(number))
        case (.boolean, .boolean): return value
        case (.list, .string(let text)): return try convert(text.description, owner: owner)
        case (.list, .table(let table)) where table.arrayValues?.allSatisfy({ $0.stringValue != nil }) == true:
            return value
        case (.regex, .string(let text)) where text.description.isEmpty, (.time, .string(let text)) where text.description.isEmpty:
            return value  // empty: switched off
        case (.regex, .string(let text)):
            do { _ = try NSRegularExpression(pattern: text.description) } catch {
                throw .invalidOption("\(owner): option '\(name)': invalid regular expression '\(text.description.prefix(100))'")
            }
            return value
        case (.duration, .integer), (.duration, .number):
            guard let seconds = value.doubleValue, seconds >= 0 else { throw failure(owner, "a duration of 0 or more", value) }
            return value
        case (.duration, .string(let text)):
            guard let seconds = Self.seconds(inDuration: text.description) else {
                throw failure(owner, "a duration such as 90s, 30m, 12h, 7d or 2w", value)
            }
            return .integer(seconds)
        case (.time, .integer), (.time, .number): return value
        case (.time, .string(let text)):
            guard let seconds = Self.unixSeconds(text.description) else {
                throw failure(owner, "an RFC 3339 time such as 2026-06-25T12:00:00Z", value)
            }
            return .integer(seconds)
        case (.enum, .string(let text)) where values.contains(text.description): return value
        case (.enum, _): throw failure(owner, "one of \(values.joined(separator: ", "))", value)
        default: throw failure(owner, Self.article(kind), value)
        }
    }

    private func failure(_ owner: String, _ expected: String, _ value: LuaValue) -> ScriptingError {
        let shown: String
        switch value {
        case .string(let text): shown = "\"\(text.description.prefix(100))\""
        case .integer(let number): shown = String(number)
        case .number(let number): shown = String(number)
        case .boolean(let flag): shown = String(flag)
        case .table: shown = "a table"
        default: shown = "nil"
        }
        return failure(owner, expected, shown)
    }

    private func failure(_ owner: String, _ expected: String, _ shown: String) -> ScriptingError {
        .invalidOption("\(owner): option '\(name)': expected \(expected), got \(shown)")
    }
}

extension ScriptingError {
    /// An option error's text.
    var optionReason: String {
        guard case .invalidOption(let text) = self else { return description }
        return text
    }
}

extension PluginOption {

    private static func article(_ kind: Kind) -> String {
        switch kind {
        case .integer: return "an integer"
        case .enum: return "an enum value"
        case .list: return "a list of strings"
        case .regex: return "a regular expression"
        default: return "a \(kind.rawValue)"
        }
    }

    static func isSnakeCase(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// `90s`, `30m`, `12h`, `7d`, `2w`, or a plain number of seconds.
    static func seconds(inDuration text: String) -> Int64? {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
        if let plain = Int64(text), plain >= 0 { return plain }
        guard let unit = text.last, let factor = units[unit], let amount = Int64(text.dropLast()), amount >= 0, amount < Int64.max / factor
        else { return nil }
        return amount * factor
    }

    /// RFC 3339 (a time without a zone is UTC; a date alone is midnight UTC) as Unix seconds.
    static func unixSeconds(_ text: String) -> Int64? {
        var candidate = text
        if candidate.count == 10 { candidate += "T00:00:00Z" }
        if !candidate.hasSuffix("Z"), candidate.range(of: #"[+-]\d\d:\d\d$"#, options: .regularExpression) == nil { candidate += "Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: candidate) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: candidate).map { Int64($0.timeIntervalSince1970.rounded(.down)) }
    }
}
