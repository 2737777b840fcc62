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
            default:
                let spec = try await PluginSpecLoader.load(script: script, kind: kind, pluginPath: path, limits: limits, log: { _, _ in }).spec
                entry.name = spec["name"].stringValue ?? script.name
                entry.version = spec["version"].stringValue ?? ""
                entry.description = spec["description"].stringValue ?? ""
            }
        } catch {
            entry.error = "\(error)"
        }
        return entry
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
