import Foundation

/// How `--policy`, `evictor policy check` and `storage fix --fixer` name a plugin: a file, or a
/// name looked up on the plugin path (its layers' `policies/NAME.lua` or `fixers/NAME.lua`).
public enum PolicyReference {
    /// The policy `reference` names. An existing file is that file. Otherwise a reference
    /// without `/` is a name (`in-use`, or `in-use.lua`) looked up on `pluginPath`; a path
    /// that does not exist, or a name found nowhere, is one error naming what was searched.
    public static func resolve(_ reference: String, pluginPath: PluginPath) throws(ScriptingError) -> PluginScript {
        try resolve(reference, kind: "policy", folder: "policies", pluginPath: pluginPath)
    }

    /// The plugin of `kind` (its folder on the plugin path) `reference` names: an existing file
    /// is that file; a reference without `/` is a name (with or without `.lua`) looked up in
    /// `folder` on `pluginPath`. Shared by policies and fixers.
    public static func resolve(_ reference: String, kind: String, folder: String, pluginPath: PluginPath) throws(ScriptingError) -> PluginScript {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), !isDirectory.boolValue {
            return PluginScript(file: reference)
        }
        guard !reference.contains("/") else {
            let searched = pluginPath.searched.joined(separator: ", ")
            throw .invalidSpec(
                file: reference,
                reason:
                    "no such \(kind) file (a \(kind) name without '/' is looked up on the plugin path: "
                    + "\(searched); \(PluginPath.addDirectoriesHint))"
            )
        }
        let name = reference.hasSuffix(".lua") ? String(reference.dropLast(4)) : reference
        guard let script = pluginPath.script(in: folder, named: name) else {
            throw .notFound(kind: kind, name: name, searched: pluginPath.searched)
        }
        return script
    }

    /// The name `--option NAME.KEY=VALUE` gives the policy `reference` names: its file name
    /// without `.lua` (`in-use`, `policies/keep-last.lua` -> `keep-last`).
    public static func name(of reference: String) -> String {
        let base = URL(fileURLWithPath: reference).lastPathComponent
        return base.hasSuffix(".lua") ? String(base.dropLast(4)) : base
    }
}
