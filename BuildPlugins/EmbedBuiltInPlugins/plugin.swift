import Foundation
import PackagePlugin

/// Generates `BuiltInPlugins+Files.swift` for the target it is applied to: the text of every
/// built-in inventory source, fixer and library (`plugins/sources`, `plugins/fixers`,
/// `plugins/lib`) and policy (`policies/*.lua`, not the `*_test.lua` files), so a copied
/// binary carries them and the copy can never drift from the files.
///
/// An edited or added file is picked up by the next build. SwiftPM keeps the previous file
/// list after a file is deleted or renamed, and the build then stops naming the missing file:
/// `touch Package.swift` makes it list the files again.
@main
struct EmbedBuiltInPlugins: BuildToolPlugin {
    /// Folders of the package and the folder each is embedded as.
    static let folders = [
        ("plugins/sources", "sources"), ("plugins/fixers", "fixers"), ("plugins/lib", "lib"), ("policies", "policies"),
    ]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var pairs: [String] = []
        var inputs: [URL] = []
        for (folder, name) in Self.folders {
            for relative in Self.luaFiles(under: root.appendingPathComponent(folder)) {
                pairs.append("\(name)/\(relative)=\(root.appendingPathComponent(folder).appendingPathComponent(relative).path)")
                inputs.append(root.appendingPathComponent(folder).appendingPathComponent(relative))
            }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuiltInPlugins+Files.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(pairs.count) built-in plugins and policies",
                executable: try context.tool(named: "EmbedLua").url,
                arguments: [output.path] + pairs.sorted(),
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
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
