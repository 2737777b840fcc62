import Foundation

/// How `--policy` and `evictor policy check` name a policy: a file, or a policy name looked up
/// on the plugin path (its directories' `policies/NAME.lua`, then the built-in policies).
public enum PolicyReference {
    /// The policy `reference` names. An existing file is that file. Otherwise a reference
    /// without `/` is a name (`in-use`, or `in-use.lua`) looked up on `pluginPath`; a path
    /// that does not exist, or a name found nowhere, is one error naming what was searched.
    public static func resolve(_ reference: String, pluginPath: PluginPath) throws(ScriptingError) -> PluginScript {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), !isDirectory.boolValue {
            return PluginScript(file: reference)
        }
        guard !reference.contains("/") else {
            let searched = pluginPath.searched.joined(separator: ", ")
            throw .invalidSpec(
                file: reference,
                reason:
                    "no such policy file (a policy name without '/', such as in-use, is looked up on the plugin path: "
                    + "\(searched); \(PluginPath.addDirectoriesHint))"
            )
        }
        let name = reference.hasSuffix(".lua") ? String(reference.dropLast(4)) : reference
        guard let script = pluginPath.script(in: "policies", named: name) else {
            throw .notFound(kind: "policy", name: name, searched: pluginPath.searched)
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
