import Foundation

/// `evictor plugins new policy|source|fixer NAME [--in DIR]`: a working plugin with its test
/// in DIR (a plugin repository: its manifest is written when it has none), the editor type
/// definitions in `DIR/types/` and a `.luarc.json` pointing the Lua language server at them.
public enum PluginScaffold {
    /// The kinds `new` makes and the folder each goes in.
    public static let kinds = ["policy": "policies", "source": "sources", "fixer": "fixers"]

    /// Writes the files; returns their paths. An existing plugin or test is never overwritten.
    public static func create(kind: String, name: String, in directory: String) throws(ScriptingError) -> [String] {
        guard let folder = kinds[kind] else { throw .invalidOption("plugins new: the kind is policy, source or fixer, not \(kind)") }
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first),
            name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" })
        else { throw .invalidOption("plugins new: '\(name)' is not a plugin name (lower-case letters, digits, - and _)") }
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        let plugin = root.appendingPathComponent(folder).appendingPathComponent(name + ".lua")
        let test = root.appendingPathComponent(folder).appendingPathComponent(name + "_test.lua")
        for file in [plugin, test] where FileManager.default.fileExists(atPath: file.path) {
            throw .invalidOption("plugins new: \(file.path) exists; not overwritten")
        }
        let (pluginText, testText): (String, String)
        switch kind {
        case "policy": (pluginText, testText) = (PluginTemplates.policy(name), PluginTemplates.policyTest(name))
        case "source": (pluginText, testText) = (PluginTemplates.source(name), PluginTemplates.sourceTest(name))
        default: (pluginText, testText) = (PluginTemplates.fixer(name), PluginTemplates.fixerTest(name))
        }
        var written: [String] = []
        func write(_ text: String, to url: URL) throws(ScriptingError) {
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            } catch {
                throw .invalidOption("plugins new: cannot write \(url.path)")
            }
            written.append(url.path)
        }
        try write(pluginText, to: plugin)
        try write(testText, to: test)
        let manifest = root.appendingPathComponent(PluginRepository.manifestName)
        if !FileManager.default.fileExists(atPath: manifest.path) {
            let text =
                "# A plugin repository: its lib/NAME.lua modules are require(\"\(repositoryName(for: root)).NAME\").\n"
                + "name: \(repositoryName(for: root))\nversion: 0.1.0\napi: \(PluginAPI.version)\ndescription: \"\"\n"
            try write(text, to: manifest)
        }
        let luarc = root.appendingPathComponent(".luarc.json")
        if !FileManager.default.fileExists(atPath: luarc.path) { try write(PluginTemplates.luarc, to: luarc) }
        if let types = BuiltInPlugins.source(at: "types/evictor.d.lua") {
            let url = root.appendingPathComponent("types/evictor.d.lua")
            if (try? String(contentsOf: url, encoding: .utf8)) != types { try write(types, to: url) }
        }
        return written
    }

    /// A manifest name from the directory's: lower-case letters, digits and `_`.
    static func repositoryName(for directory: URL) -> String {
        let base = directory.lastPathComponent.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let trimmed = base.drop { !$0.isLetter }
        return PluginOption.isSnakeCase(String(trimmed)) && trimmed != "lib" ? String(trimmed) : "plugins"
    }
}
