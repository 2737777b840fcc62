import Foundation
import LuaRuntime

/// Where plugins, policies and libraries come from, in layers.
///
/// Layers, bottom to top: the built-ins compiled into the binary (`BuiltInPlugins`), each
/// `EVICTOR_PLUGIN_PATH` entry (colon-separated) in order, each `--plugin-path` directory in
/// order. A later layer overrides an earlier one: the top-most layer that has `KIND/NAME.lua`
/// wins (and says which plugin it overrides). `require("lib.retention")` inside a plugin
/// searches the same layers top down; a plugin repository (a directory with
/// `evictor-plugins.yaml`, see `PluginRepository`) is not among them: its `lib/` modules are
/// `require("NAME.module")` by its name only.
public struct PluginPath: Sendable, Equatable {
    /// The plugin directories, first searched first (the top layer first).
    public var directories: [String]
    /// Whether the built-ins are the last layer.
    public var includesBuiltIns: Bool

    /// A plugin path of `directories` (first searched first), with the built-ins below them
    /// unless `includesBuiltIns` is false.
    public init(directories: [String], includesBuiltIns: Bool = true) {
        self.directories = directories
        self.includesBuiltIns = includesBuiltIns
    }

    /// The plugin path for this process: the built-ins, then `configured` (a config file's
    /// `plugins.path`), then `EVICTOR_PLUGIN_PATH`'s entries, then `explicit` (`--plugin-path`),
    /// each later one over the earlier ones.
    public static func resolve(
        explicit: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        configured: [String] = []
    ) -> PluginPath {
        var layers = configured.map(absolute)
        if let fromEnvironment = environment["EVICTOR_PLUGIN_PATH"] {
            layers += fromEnvironment.split(separator: ":").map { absolute(String($0)) }
        }
        layers += explicit.map(absolute)
        let directories = Array(layers.reversed())
        var seen: Set<String> = []
        return PluginPath(directories: directories.filter { seen.insert($0).inserted })
    }

    /// The layers in lookup order as messages name them: each directory, then `built-in`.
    public var searched: [String] {
        directories + (includesBuiltIns ? ["built-in"] : [])
    }

    /// How every "not found" message ends: how to search more.
    public static let addDirectoriesHint = "add plugin directories with --plugin-path DIR or EVICTOR_PLUGIN_PATH"

    /// Every `KIND/NAME.lua` (`sources`, `fixers`, `lib`, `policies`; not `*_test.lua`),
    /// the first layer's of each name, sorted by name.
    public func scripts(in folder: String) -> [PluginScript] {
        var found: [String: PluginScript] = [:]
        for directory in directories {
            let url = URL(fileURLWithPath: directory).appendingPathComponent(folder)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { continue }
            for entry in entries where Self.isScriptFile(entry) && !Self.isDirectory(url.appendingPathComponent(entry)) {
                let name = String(entry.dropLast(4))
                if found[name] == nil {
                    found[name] = PluginScript(name: name, folder: folder, origin: .file(url.appendingPathComponent(entry).path))
                } else if found[name]?.overrides == nil {
                    found[name]?.overrides = url.appendingPathComponent(entry).path
                }
            }
        }
        if includesBuiltIns {
            for path in BuiltInPlugins.paths where path.hasPrefix(folder + "/") {
                let entry = String(path.dropFirst(folder.count + 1))
                guard !entry.contains("/"), Self.isScriptFile(entry) else { continue }
                let name = String(entry.dropLast(4))
                if found[name] == nil {
                    found[name] = PluginScript(name: name, folder: folder, origin: .builtIn)
                } else if found[name]?.overrides == nil {
                    found[name]?.overrides = "built-in"
                }
            }
        }
        return found.values.sorted { $0.name < $1.name }
    }

    /// The `KIND/NAME.lua` of the first layer that has one (never a `*_test.lua`).
    public func script(in folder: String, named name: String) -> PluginScript? {
        guard Self.isScriptFile(name + ".lua"), !name.contains("/"), name != ".", name != ".." else { return nil }
        var found: [PluginScript] = []
        for directory in directories {
            let file = URL(fileURLWithPath: directory).appendingPathComponent(folder).appendingPathComponent(name + ".lua")
            if FileManager.default.fileExists(atPath: file.path), !Self.isDirectory(file) {
                found.append(PluginScript(name: name, folder: folder, origin: .file(file.path)))
                if found.count == 2 { break }
            }
        }
        let builtIn = PluginScript(name: name, folder: folder, origin: .builtIn)
        if found.count < 2, includesBuiltIns, BuiltInPlugins.source(at: builtIn.relativePath) != nil { found.append(builtIn) }
        guard var script = found.first else { return nil }
        script.overrides = found.count > 1 ? found[1].originDescription : nil
        return script
    }

    /// The plugin repositories among the directories (those with a manifest), top layer
    /// first; a directory whose manifest cannot be read is an error naming it.
    public func repositories() throws(ScriptingError) -> [PluginRepository] {
        var repositories: [PluginRepository] = []
        for directory in directories {
            guard let repository = try PluginRepository.load(directory: directory) else { continue }
            if let same = repositories.first(where: { $0.name == repository.name }) {
                throw .invalidSpec(
                    file: directory + "/" + PluginRepository.manifestName,
                    reason: "two plugin repositories are named \(repository.name): \(same.directory) and \(directory)")
            }
            repositories.append(repository)
        }
        return repositories
    }

    /// The sandbox of a plugin's VM: `require` searches the directories, then the built-ins.
    public var sandbox: LuaSandbox {
        var modules: [LuaBuiltInModule] = []
        if includesBuiltIns {
            for path in BuiltInPlugins.paths where !path.hasPrefix("types/") {
                guard let source = BuiltInPlugins.source(at: path) else { continue }
                var name = String(path.dropLast(4))
                if name.hasSuffix("/init") { name = String(name.dropLast(5)) }
                modules.append(
                    LuaBuiltInModule(
                        name: name.replacingOccurrences(of: "/", with: "."), displayName: BuiltInPlugins.displayName(of: path), source: source
                    ))
            }
        }
        // A repository's modules are reachable by its name only (never as lib.*): two
        // repositories with a module of the same name cannot shadow each other.
        var namespaces: [String: String] = [:]
        var shared: [String] = []
        for directory in directories {
            if let repository = try? PluginRepository.load(directory: directory) {
                if namespaces[repository.name] == nil { namespaces[repository.name] = directory + "/lib" }
            } else if !FileManager.default.fileExists(atPath: directory + "/" + PluginRepository.manifestName) {
                shared.append(directory)
            }
        }
        return LuaSandbox(
            modulePaths: shared, builtInModules: modules, missingModuleHint: "; " + Self.addDirectoriesHint, namespaces: namespaces)
    }

    private static func isScriptFile(_ entry: String) -> Bool {
        entry.hasSuffix(".lua") && !entry.hasSuffix("_test.lua") && entry.count > 4
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
