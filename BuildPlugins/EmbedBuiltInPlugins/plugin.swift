import Foundation
import PackagePlugin

/// Compiles Lua files into the target it is applied to, so a copied binary carries them and
/// the copy can never drift from the files:
///
/// - the target's own `Lua/` folder (the engine's Lua, e.g. `Sources/LuaRuntime/Lua/*.lua`;
///   the target's `exclude:` keeps SwiftPM from treating them as sources) as `EngineLua.files`
///   in `EngineLua+Files.swift`, each under its path below `Lua/` (`policy_prelude.lua`);
/// - for the targets named in `packageFolders` (EvictorScripting), the built-in inventory
///   sources, fixers and libraries (`plugins/sources`, `plugins/fixers`, `plugins/lib`) and
///   policies (`policies/*.lua`, not the `*_test.lua` files) as `BuiltInPlugins.files` in
///   `BuiltInPlugins+Files.swift`, each under its path in a plugin directory.
///
/// The target declares the enum (`EngineLua`, `BuiltInPlugins`); the generated file extends it.
/// An edited or added file is picked up by the next build. SwiftPM keeps the previous file
/// list after a file is deleted or renamed, and the build then stops naming the missing file:
/// `touch Package.swift` makes it list the files again.
@main
struct EmbedBuiltInPlugins: BuildToolPlugin {
    /// The folder of a target whose Lua files are embedded as `EngineLua.files`.
    static let engineFolder = "Lua"

    /// Per target: folders of the package embedded as `BuiltInPlugins.files`, and the folder
    /// each is embedded as.
    static let packageFolders: [String: [(folder: String, name: String)]] = [
        "EvictorScripting": [
            ("plugins/sources", "sources"), ("plugins/fixers", "fixers"), ("plugins/lib", "lib"), ("policies", "policies"),
            // The editor type definitions, which `plugins new` writes beside a new plugin.
            ("plugins/types", "types"),
        ]
    ]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let tool = try context.tool(named: "EmbedLua").url
        var commands: [Command] = []
        // Targets are in the conventional Sources/NAME (Target.directoryURL needs tools 6.1).
        let engine = context.package.directoryURL.appendingPathComponent("Sources").appendingPathComponent(target.name)
            .appendingPathComponent(Self.engineFolder)
        let engineFiles = Self.luaFiles(under: engine).map { ($0, engine.appendingPathComponent($0)) }
        if !engineFiles.isEmpty {
            commands.append(
                Self.embed(
                    engineFiles, as: "EngineLua", into: context.pluginWorkDirectoryURL.appendingPathComponent("EngineLua+Files.swift"), tool: tool,
                    displayName: "Embedding \(engineFiles.count) engine Lua files of \(target.name)"
                ))
        }
        if let folders = Self.packageFolders[target.name] {
            let root = context.package.directoryURL
            var files: [(String, URL)] = []
            for (folder, name) in folders {
                let directory = root.appendingPathComponent(folder)
                files += Self.luaFiles(under: directory).map { ("\(name)/\($0)", directory.appendingPathComponent($0)) }
            }
            commands.append(
                Self.embed(
                    files, as: "BuiltInPlugins", into: context.pluginWorkDirectoryURL.appendingPathComponent("BuiltInPlugins+Files.swift"),
                    tool: tool,
                    displayName: "Embedding \(files.count) built-in plugins and policies"
                ))
        }
        return commands
    }

    /// The command that writes `output`, defining `type.files` from `files` (name, file).
    static func embed(_ files: [(String, URL)], as type: String, into output: URL, tool: URL, displayName: String) -> Command {
        .buildCommand(
            displayName: displayName,
            executable: tool,
            arguments: [output.path, type] + files.map { "\($0.0)=\($0.1.path)" }.sorted(),
            inputFiles: files.map(\.1),
            outputFiles: [output]
        )
    }

    /// Every `.lua` file below `directory` (relative paths, sorted), without `*_test.lua`.
    static func luaFiles(under directory: URL) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory.path) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if relative.hasSuffix(".lua"), !relative.hasSuffix("_test.lua") { found.append(relative) }
        }
        return found.sorted()
    }
}
