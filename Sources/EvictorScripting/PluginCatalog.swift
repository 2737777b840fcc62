import LuaRuntime

/// One plugin, policy or library as `evictor plugins list` shows it.
public struct PluginEntry: Sendable, Codable, Equatable {
    public var name: String
    /// `source`, `fixer`, `policy` or `lib`.
    public var kind: String
    public var version: String
    public var description: String
    /// How errors name it: its file, or `built-in:KIND/NAME.lua`.
    public var file: String
    /// Where it comes from: `built-in` (compiled into the binary) or its file's path.
    public var origin: String
    /// Why the plugin could not be loaded, if it could not.
    public var error: String?
    /// The lower layer's plugin of the same kind and name this one overrides (`built-in` or a path).
    public var overrides: String?
    /// The options it declares.
    public var options: [OptionEntry] = []
    /// How to use it: the spec's `example`, else one made from its kind and options.
    public var example: String = ""

    /// One declared option, as `plugins show` prints it.
    public struct OptionEntry: Sendable, Codable, Equatable {
        public var name: String
        public var type: String
        public var description: String
        /// The default as Lua would print it; nil when there is none.
        public var defaultValue: String?
        public var required: Bool
        /// An enum's values.
        public var values: [String]?
    }
}

/// Loads every plugin and policy on the path (each in its own sandboxed VM) to read what it
/// declares; libraries are listed by the name `require` takes.
public enum PluginCatalog {
    /// The folders of a plugin directory and the kind each holds, in listing order.
    public static let kinds = [("sources", "source"), ("fixers", "fixer"), ("policies", "policy"), ("lib", "lib")]

    /// What each layer of `path` provides (the first layer's of each kind and name), by kind
    /// in `kinds` order, then by name.
    public static func list(_ path: PluginPath) async -> [PluginEntry] {
        var entries: [PluginEntry] = []
        for (folder, kind) in kinds {
            for script in path.scripts(in: folder) {
                entries.append(await describe(script, kind: kind, path: path))
            }
        }
        return entries
    }

    static func describe(_ script: PluginScript, kind: String, path: PluginPath) async -> PluginEntry {
        var entry = PluginEntry(
            name: script.name, kind: kind, version: "", description: "", file: script.displayName, origin: script.originDescription
        )
        entry.overrides = script.overrides
        let limits = LuaLimits(memoryBytes: 64 << 20, instructionsPerCall: 100_000_000, secondsPerCall: 10)
        do {
            switch kind {
            case "lib":
                entry.name = "lib." + script.name
                entry.description = libraryDescription(try script.bytes())
            case "policy":
                let policy = try await PolicyPlugin.load(script: script, pluginPath: path, limits: limits, log: { _, _ in })
                entry.name = policy.name
                entry.description = policy.description
                entry.options = policy.options.map(optionEntry)
                entry.example = policy.example ?? example(kind: kind, reference: script.name, options: policy.options)
            default:
                let spec = try await PluginSpecLoader.load(script: script, kind: kind, pluginPath: path, limits: limits, log: { _, _ in }).spec
                entry.name = spec["name"].stringValue ?? script.name
                entry.version = spec["version"].stringValue ?? ""
                entry.description = spec["description"].stringValue ?? ""
                let options = try PluginOption.parseDeclarations(spec["options"], file: script.displayName)
                entry.options = options.map(optionEntry)
                entry.example = spec["example"].stringValue ?? example(kind: kind, reference: entry.name, options: options)
            }
        } catch {
            entry.error = "\(error)"
        }
        return entry
    }

    static func optionEntry(_ option: PluginOption) -> PluginEntry.OptionEntry {
        PluginEntry.OptionEntry(
            name: option.name, type: option.kind.rawValue, description: option.description,
            defaultValue: option.defaultValue == .nil ? nil : Self.display(option.defaultValue), required: option.required,
            values: option.values.isEmpty ? nil : option.values)
    }

    /// A value as an option would be written: a list as its comma-separated items.
    static func display(_ value: LuaValue) -> String {
        if case .table(let table) = value, let items = table.arrayValues { return items.map(\.description).joined(separator: ",") }
        return value.description
    }

    /// A command line that uses the plugin, its required options filled with placeholders.
    static func example(kind: String, reference: String, options: [PluginOption]) -> String {
        let settings = options.filter(\.required).map { " --option \(reference).\($0.name)=\($0.name.uppercased())" }.joined()
        switch kind {
        case "source": return "evictor inventory --source \(reference)\(settings) -o images.json"
        case "fixer": return "evictor storage fix --root DIR --quarantine QDIR --fixer \(reference)\(settings)"
        case "policy": return "evictor plan REGISTRY --policy \(reference)\(settings) -o plan.json"
        default: return "local \(reference) = require(\"lib.\(reference)\")"
        }
    }

    /// The entry of `name` (a plugin's name, or `lib.NAME`), of `kind` when given.
    public static func find(_ name: String, kind: String? = nil, in path: PluginPath) async -> [PluginEntry] {
        var found: [PluginEntry] = []
        for (folder, folderKind) in kinds where kind == nil || kind == folderKind {
            let bare = folderKind == "lib" && name.hasPrefix("lib.") ? String(name.dropFirst(4)) : name
            if let script = path.script(in: folder, named: bare) {
                var entry = await describe(script, kind: folderKind, path: path)
                if folderKind == "lib" { entry.example = example(kind: "lib", reference: bare, options: []) }
                found.append(entry)
            }
        }
        return found
    }

    /// A library's description: its first line when that is a comment (`-- NAME: what`).
    static func libraryDescription(_ bytes: [UInt8]) -> String {
        let first = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        guard first.hasPrefix("--") else { return "" }
        var text = first.dropFirst(2).drop { $0 == " " || $0 == "-" }
        if let colon = text.firstIndex(of: ":"), !text[..<colon].contains(" ") {
            text = text[text.index(after: colon)...].drop { $0 == " " }
        }
        return String(text)
    }
}
