/// The plugins and policies compiled into the binary: the inventory sources, fixers and
/// libraries of the package's `plugins/sources`, `plugins/fixers` and `plugins/lib`, and its
/// `policies/*.lua` (not the tests), each under its path in a plugin directory
/// (`sources/static.lua`, `lib/retention.lua`, `policies/in-use.lua`).
///
/// `files` is generated at build time from those files by the `EmbedBuiltInPlugins`
/// build-tool plugin (BuildPlugins/), so a copied binary works without them and the embedded
/// copy cannot drift from them. They are the lowest layer of every `PluginPath`.
public enum BuiltInPlugins {
    /// Every built-in's path in a plugin directory, sorted.
    public static var paths: [String] { files.keys.sorted() }

    /// The text of the built-in at `path` (e.g. `sources/static.lua`), nil when there is none.
    public static func source(at path: String) -> String? {
        files[path]
    }

    /// How errors and listings name the built-in at `path`: `built-in:sources/static.lua`.
    public static func displayName(of path: String) -> String {
        "built-in:\(path)"
    }
}
