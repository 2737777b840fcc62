import LuaRuntime

/// One plugin as `evictor plugins list` shows it.
public struct PluginEntry: Sendable, Codable, Equatable {
    public var name: String
    public var kind: String
    public var version: String
    public var description: String
    public var file: String
    /// Why the plugin could not be loaded, if it could not.
    public var error: String?
}

/// Loads every plugin on the path (each in its own sandbox) to read what it declares.
public enum PluginCatalog {
    public static let kinds = [("sources", "source"), ("fixers", "fixer")]

    public static func list(_ path: PluginPath) async -> [PluginEntry] {
        var entries: [PluginEntry] = []
        for (folder, kind) in kinds {
            for (name, file) in path.files(kind: folder) {
                entries.append(await describe(file: file, fallbackName: name, kind: kind, path: path))
            }
        }
        return entries
    }

    static func describe(file: String, fallbackName: String, kind: String, path: PluginPath) async -> PluginEntry {
        var entry = PluginEntry(name: fallbackName, kind: kind, version: "", description: "", file: file)
        do {
            let (_, spec) = try await PluginSpecLoader.load(
                file: file, kind: kind, pluginPath: path, limits: LuaLimits(memoryBytes: 64 << 20, instructionsPerCall: 100_000_000, secondsPerCall: 10), log: { _, _ in }
            )
            entry.name = spec["name"].stringValue ?? fallbackName
            entry.version = spec["version"].stringValue ?? ""
            entry.description = spec["description"].stringValue ?? ""
        } catch {
            entry.error = "\(error)"
        }
        return entry
    }
}
