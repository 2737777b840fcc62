import Foundation

/// Where plugins are looked for, in order: `--plugin-path` directories, `EVICTOR_PLUGIN_PATH`
/// (colon-separated), then the project's own `plugins/` (next to the installed binary, in
/// `../share/evictor/plugins`, or in the checkout the binary was built in).
public struct PluginPath: Sendable, Equatable {
    public var directories: [String]

    public init(directories: [String]) {
        self.directories = directories
    }

    /// The search path for this process.
    public static func resolve(
        explicit: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: String = CommandLine.arguments.first ?? ""
    ) -> PluginPath {
        var directories = explicit.map(absolute)
        if let fromEnvironment = environment["EVICTOR_PLUGIN_PATH"] {
            directories += fromEnvironment.split(separator: ":").map { absolute(String($0)) }
        }
        if let bundled = bundledDirectory(executable: executable) { directories.append(bundled) }
        var seen: Set<String> = []
        return PluginPath(directories: directories.filter { seen.insert($0).inserted })
    }

    /// The project's `plugins/` folder for a binary: beside it, in `../share/evictor/plugins`,
    /// or in a parent folder holding `Package.swift` (a checkout's `.build/debug/evictor`).
    static func bundledDirectory(executable: String) -> String? {
        let resolved = URL(fileURLWithPath: executable).resolvingSymlinksInPath()
        var directory = resolved.deletingLastPathComponent()
        let candidates = [
            directory.appendingPathComponent("plugins"),
            directory.deletingLastPathComponent().appendingPathComponent("share/evictor/plugins"),
        ]
        for candidate in candidates where isDirectory(candidate.appendingPathComponent("sources")) {
            return candidate.path
        }
        for _ in 0..<6 {
            directory = directory.deletingLastPathComponent()
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
               isDirectory(directory.appendingPathComponent("plugins")) {
                return directory.appendingPathComponent("plugins").path
            }
        }
        return nil
    }

    /// Every `KIND/NAME.lua` file (`sources`, `fixers`), first directory first.
    public func files(kind: String) -> [(name: String, path: String)] {
        var found: [(String, String)] = []
        var names: Set<String> = []
        for directory in directories {
            let folder = URL(fileURLWithPath: directory).appendingPathComponent(kind)
            guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for entry in entries.sorted() where entry.hasSuffix(".lua") && !entry.hasSuffix("_test.lua") {
                let name = String(entry.dropLast(4))
                if names.insert(name).inserted { found.append((name, folder.appendingPathComponent(entry).path)) }
            }
        }
        return found
    }

    /// The file of plugin `name` of `kind`, the first on the path.
    public func file(kind: String, name: String) -> String? {
        files(kind: kind).first { $0.name == name }?.path
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &flag) && flag.boolValue
    }
}
