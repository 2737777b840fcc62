import Foundation
import Yams

/// Walks a composed YAML document with the key path of each value, for errors that name it:
/// types, unknown keys, `${VAR}` interpolation of every string, and a budget on the values
/// visited (aliases repeat nodes: a few hundred bytes could otherwise expand to billions).
struct ConfigReader {
    let file: String
    let environment: [String: String]
    /// The variables each interpolated value read, by key path (for masking secrets).
    private(set) var variables: [String: [String]] = [:]
    private var budget: Int

    init(file: String, environment: [String: String], textSize: Int) {
        self.file = file
        self.environment = environment
        budget = 4 * textSize + 10_000
    }

    /// A mapping's non-null values by key, in order, with `<<` merge keys applied.
    struct Mapping {
        let path: String
        let entries: [(key: String, node: Node)]

        subscript(key: String) -> Node? { entries.first { $0.key == key }?.node }
        func has(_ key: String) -> Bool { self[key] != nil }
        func child(_ key: String) -> String { ConfigReader.child(path, key) }
    }

    static func child(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    static func element(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.tag.description == Tag.Name.null.rawValue
            || (scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string))
    }

    /// How a value is named in an error: `"five"`, `a mapping`, `a list`, `nothing`.
    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar): return isNull(node) ? "nothing (null)" : ConfigRendering.quoted(scalar.string)
        }
    }

    func wrongType(_ path: String, _ expected: String, _ node: Node) -> ConfigError {
        .wrongType(file: file, path: path, expected: expected, got: Self.describe(node))
    }

    private mutating func spend() throws(ConfigError) {
        budget -= 1
        guard budget >= 0 else {
            throw .invalidYAML(file: file, reason: "the document expands to too many values (aliases repeat more than the text holds)")
        }
    }

    /// A mapping whose keys are all among `keys` (nil: any key).
    mutating func mapping(_ node: Node, at path: String, keys: [String]?) throws(ConfigError) -> Mapping {
        try spend()
        guard case .mapping(let mapping) = node else { throw wrongType(path, "a mapping", node) }
        let entries = try pairs(of: mapping, at: path, depth: 0)
        if let keys {
            for entry in entries where !keys.contains(entry.key) {
                throw .unknownKey(file: file, path: Self.child(path, entry.key))
            }
        }
        return Mapping(path: path, entries: entries.filter { !Self.isNull($0.node) })
    }

    private mutating func pairs(of mapping: Node.Mapping, at path: String, depth: Int) throws(ConfigError) -> [(key: String, node: Node)] {
        guard depth < 16 else { throw .invalidYAML(file: file, reason: "\(path): merge keys nested too deep") }
        var merged: [(key: String, node: Node)] = []
        var own: [(key: String, node: Node)] = []
        for (key, value) in mapping {
            try spend()
            if key.tag.description == Tag.Name.merge.rawValue {
                switch value {
                case .mapping(let inner):
                    merged += try pairs(of: inner, at: path, depth: depth + 1)
                case .sequence(let list):
                    for case .mapping(let inner) in list.reversed() { merged += try pairs(of: inner, at: path, depth: depth + 1) }
                default:
                    throw .wrongType(file: file, path: Self.child(path, "<<"), expected: "a mapping or a list of mappings", got: Self.describe(value))
                }
                continue
            }
            guard case .scalar(let scalar) = key else {
                throw .wrongType(file: file, path: path, expected: "string keys", got: "\(Self.describe(key)) as a key")
            }
            guard !own.contains(where: { $0.key == scalar.string }) else {
                throw .invalidValue(file: file, path: Self.child(path, scalar.string), reason: "key given twice")
            }
            own.append((scalar.string, value))
        }
        // The mapping's own keys win over merged ones; of merged ones, the first wins.
        var result: [(key: String, node: Node)] = []
        for entry in merged + own {
            if let index = result.firstIndex(where: { $0.key == entry.key }) {
                if own.contains(where: { $0.key == entry.key }) { result[index] = entry }
            } else {
                result.append(entry)
            }
        }
        return result
    }

    mutating func list(_ node: Node, at path: String) throws(ConfigError) -> [Node] {
        try spend()
        guard case .sequence(let sequence) = node else { throw wrongType(path, "a list", node) }
        return Array(sequence)
    }

    /// The scalar's text, interpolated.
    mutating func string(_ node: Node, at path: String) throws(ConfigError) -> String {
        try spend()
        guard case .scalar(let scalar) = node, !Self.isNull(node) else { throw wrongType(path, "a string", node) }
        return try interpolate(scalar.string, at: path)
    }

    mutating func interpolate(_ text: String, at path: String) throws(ConfigError) -> String {
        do {
            let result = try ConfigInterpolation.interpolate(text, environment: environment)
            if !result.variables.isEmpty { variables[path, default: []] += result.variables }
            return result.value
        } catch {
            switch error {
            case .missingVariable(let name): throw .missingVariable(file: file, path: path, variable: name)
            case .malformed(let reason): throw .badInterpolation(file: file, path: path, reason: reason)
            }
        }
    }

    mutating func integer(_ node: Node, at path: String, atLeast minimum: Int) throws(ConfigError) -> Int {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else { throw wrongType(path, "a number", node) }
        let text = try string(node, at: path)
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw .wrongType(file: file, path: path, expected: "a number", got: ConfigRendering.quoted(scalar.string))
        }
        guard value >= minimum else { throw .invalidValue(file: file, path: path, reason: "must be \(minimum) or more, got \(value)") }
        return value
    }

    mutating func number(_ node: Node, at path: String, in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else { throw wrongType(path, "a number", node) }
        let text = try string(node, at: path).trimmingCharacters(in: .whitespaces)
        guard let value = Double(text), value.isFinite, text.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true else {
            throw .wrongType(file: file, path: path, expected: "a number", got: ConfigRendering.quoted(scalar.string))
        }
        guard range.contains(value) else {
            throw .invalidValue(
                file: file, path: path, reason: "must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound)), got \(text)")
        }
        return value
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }

    mutating func bool(_ node: Node, at path: String) throws(ConfigError) -> Bool {
        guard case .scalar(let scalar) = node, !Self.isNull(node) else { throw wrongType(path, "true or false", node) }
        switch try string(node, at: path).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw .wrongType(file: file, path: path, expected: "true or false", got: ConfigRendering.quoted(scalar.string))
        }
    }

    mutating func duration(_ node: Node, at path: String) throws(ConfigError) -> ConfigDuration {
        let text = try string(node, at: path)
        guard let duration = ConfigDuration(parsing: text) else {
            throw .invalidValue(
                file: file, path: path, reason: "\(ConfigRendering.quoted(text)) is not a duration (like 90s, 15m, 6h, 2d, 1w or 1h30m)")
        }
        return duration
    }

    /// Plugin or policy options: a mapping of scalars and lists of scalars, typed as written.
    mutating func options(_ node: Node, at path: String) throws(ConfigError) -> [String: ConfigValue] {
        let mapping = try mapping(node, at: path, keys: nil)
        var options: [String: ConfigValue] = [:]
        for (key, value) in mapping.entries {
            let keyPath = mapping.child(key)
            if case .sequence = value {
                var items: [ConfigValue] = []
                for (index, item) in try list(value, at: keyPath).enumerated() {
                    items.append(try scalarValue(item, at: Self.element(keyPath, index)))
                }
                options[key] = .list(items)
            } else {
                options[key] = try scalarValue(value, at: keyPath)
            }
        }
        return options
    }

    private mutating func scalarValue(_ node: Node, at path: String) throws(ConfigError) -> ConfigValue {
        try spend()
        guard case .scalar(let scalar) = node, !Self.isNull(node) else {
            throw wrongType(path, "a string, number or boolean (or a list of them)", node)
        }
        let text = try interpolate(scalar.string, at: path)
        guard scalar.style == .plain else { return .string(text) }
        switch text {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let integer = Int(text) { return .integer(integer) }
        if let number = Double(text), number.isFinite, text.contains(where: \.isNumber),
            !text.contains(where: \.isLetter) || text.lowercased().contains("e")
        {
            return .number(number)
        }
        return .string(text)
    }
}
