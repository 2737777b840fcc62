import Foundation
import LuaRuntime

/// One plugin, policy or library found on the plugin path (or named by its file): a file in a
/// plugin directory, or a built-in compiled into the binary.
public struct PluginScript: Sendable, Equatable {
    /// Where a script's text comes from.
    public enum Origin: Sendable, Equatable {
        /// Compiled into the binary (`BuiltInPlugins`).
        case builtIn
        /// A file, by its path.
        case file(String)
    }

    /// The file name without `.lua` (`static`, `in-use`, `retention`).
    public var name: String
    /// The folder it sits in within a plugin directory: `sources`, `fixers`, `lib`, `policies`.
    public var folder: String
    /// Built-in or a file.
    public var origin: Origin
    /// Found on the plugin path: the origin of the lower layer's plugin it overrides, if any.
    public var overrides: String?

    /// A script of `folder` named `name` from `origin`.
    public init(name: String, folder: String, origin: Origin) {
        self.name = name
        self.folder = folder
        self.origin = origin
    }

    /// A script given by its file path (not looked up on the plugin path).
    public init(file: String) {
        let url = URL(fileURLWithPath: file)
        let base = url.lastPathComponent
        self.init(
            name: base.hasSuffix(".lua") ? String(base.dropLast(4)) : base,
            folder: url.deletingLastPathComponent().lastPathComponent, origin: .file(file)
        )
    }

    /// The plugin directory (or repository) a file in `KIND/NAME.lua` form sits in: the folder
    /// above its kind's folder.
    public var pluginDirectory: String? {
        guard case .file(let path) = origin else { return nil }
        let kindFolder = URL(fileURLWithPath: path).deletingLastPathComponent()
        guard ["sources", "policies", "fixers", "lib"].contains(kindFolder.lastPathComponent) else { return nil }
        return kindFolder.deletingLastPathComponent().standardizedFileURL.path
    }

    /// Its path within a plugin directory, e.g. `sources/static.lua`.
    public var relativePath: String { "\(folder)/\(name).lua" }

    /// How errors, plans and listings name it: the file's path, or `built-in:sources/static.lua`.
    public var displayName: String {
        switch origin {
        case .builtIn: BuiltInPlugins.displayName(of: relativePath)
        case .file(let path): path
        }
    }

    /// Where it comes from, as `evictor plugins list` says: `built-in` or the file's path.
    public var originDescription: String {
        switch origin {
        case .builtIn: "built-in"
        case .file(let path): path
        }
    }

    /// The script's bytes (for a file: read now).
    public func bytes() throws(ScriptingError) -> [UInt8] {
        switch origin {
        case .builtIn:
            guard let source = BuiltInPlugins.source(at: relativePath) else {
                throw .invalidSpec(file: displayName, reason: "no such built-in")
            }
            return Array(source.utf8)
        case .file(let path):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw .invalidSpec(file: path, reason: isDirectory.boolValue ? "is a directory" : "no such file")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .invalidSpec(file: path, reason: "cannot read the file")
            }
            return [UInt8](data)
        }
    }

    /// Compiles the script in `engine`; errors name it by `displayName`.
    func load(in engine: LuaEngine) async throws -> LuaFunctionReference {
        switch origin {
        case .builtIn:
            guard let source = BuiltInPlugins.source(at: relativePath) else {
                throw ScriptingError.invalidSpec(file: displayName, reason: "no such built-in")
            }
            return try await engine.load(string: source, chunkName: "@" + displayName)
        case .file(let path):
            return try await engine.load(file: path, displayName: path)
        }
    }
}
