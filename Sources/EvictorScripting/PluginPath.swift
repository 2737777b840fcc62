import Foundation
import LuaRuntime

/// Where plugins, policies and libraries come from, in layers.
///
/// Lookup order: each `--plugin-path` directory in the order given, then each
/// `EVICTOR_PLUGIN_PATH` entry (colon-separated), then the built-ins compiled into the binary
/// (`BuiltInPlugins`). The first layer that has `KIND/NAME.lua` wins: a directory adds plugins
/// and overrides the built-in (or a later directory's) plugin of the same kind and name.
/// `require("lib.retention")` inside a plugin searches the same layers in the same order.
public struct PluginPath: Sendable, Equatable {
    /// The plugin directories, first searched first.
    public var directories: [String]
    /// Whether the built-ins are the last layer.
    public var includesBuiltIns: Bool

    /// A plugin path of `directories` (first searched first), with the built-ins below them
    /// unless `includesBuiltIns` is false.
    public init(directories: [String], includesBuiltIns: Bool = true) {
        self.directories = directories
        self.includesBuiltIns = includesBuiltIns
    }

    /// The plugin path for this process: `explicit` (`--plugin-path`), then
    /// `EVICTOR_PLUGIN_PATH`, then the built-ins.
    public static func resolve(
        explicit: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> PluginPath {
        var directories = explicit.map(absolute)
        if let fromEnvironment = environment["EVICTOR_PLUGIN_PATH"] {
            directories += fromEnvironment.split(separator: ":").map { absolute(String($0)) }
        }
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
                }
            }
        }
        if includesBuiltIns {
            for path in BuiltInPlugins.paths where path.hasPrefix(folder + "/") {
                let entry = String(path.dropFirst(folder.count + 1))
                guard !entry.contains("/"), Self.isScriptFile(entry) else { continue }
                let name = String(entry.dropLast(4))
                if found[name] == nil { found[name] = PluginScript(name: name, folder: folder, origin: .builtIn) }
            }
        }
        return found.values.sorted { $0.name < $1.name }
    }

    /// The `KIND/NAME.lua` of the first layer that has one (never a `*_test.lua`).
    public func script(in folder: String, named name: String) -> PluginScript? {
        guard Self.isScriptFile(name + ".lua"), !name.contains("/"), name != ".", name != ".." else { return nil }
        for directory in directories {
            let file = URL(fileURLWithPath: directory).appendingPathComponent(folder).appendingPathComponent(name + ".lua")
            if FileManager.default.fileExists(atPath: file.path), !Self.isDirectory(file) {
                return PluginScript(name: name, folder: folder, origin: .file(file.path))
            }
        }
        let builtIn = PluginScript(name: name, folder: folder, origin: .builtIn)
        if includesBuiltIns, BuiltInPlugins.source(at: builtIn.relativePath) != nil { return builtIn }
        return nil
    }

    /// The sandbox of a plugin's VM: `require` searches the directories, then the built-ins.
    public var sandbox: LuaSandbox {
        var modules: [LuaBuiltInModule] = []
        if includesBuiltIns {
            for path in BuiltInPlugins.paths {
                guard let source = BuiltInPlugins.source(at: path) else { continue }
                var name = String(path.dropLast(4))
                if name.hasSuffix("/init") { name = String(name.dropLast(5)) }
                modules.append(
                    LuaBuiltInModule(
                        name: name.replacingOccurrences(of: "/", with: "."), displayName: BuiltInPlugins.displayName(of: path), source: source
                    ))
            }
        }
        return LuaSandbox(modulePaths: directories, builtInModules: modules, missingModuleHint: "; " + Self.addDirectoriesHint)
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
