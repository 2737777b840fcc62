import ArgumentParser
import EvictorEngine
import EvictorScripting

/// Where to find plugins; shared by commands that load any.
struct PluginOptions: ParsableArguments {
    @Option(
        name: .customLong("plugin-path"),
        help: """
            A plugin directory or repository (sources/, fixers/, lib/, policies/): a layer over the \
            built-ins and EVICTOR_PLUGIN_PATH; a later one overrides an earlier one; repeatable.
            """
    )
    var directories: [String] = []

    @Option(
        name: .customLong("option"),
        help: "NAME.KEY=VALUE: an option for the plugin NAME (a source, the policy, a fixer), checked against its declared type; repeatable.")
    var settings: [String] = []

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Show what plugins print and log at info and debug level (on stderr).")
    var verbose = false

    func validate() throws {
        if verbose { CommandLog.showPluginInfo() }
    }

    var pluginPath: PluginPath { PluginPath.resolve(explicit: directories) }

    /// The plugin path with a config file's `plugins.path` as the layers above the built-ins.
    func pluginPath(with config: EvictorConfig?) -> PluginPath {
        PluginPath.resolve(explicit: directories, configured: config?.pluginDirectories ?? [])
    }

    /// `--option` settings by plugin name.
    func optionSettings() throws -> [String: [(String, String)]] {
        try InventoryCollection.parseOptions(settings)
    }

    /// The `--option` settings of the one policy `reference` (a name, or a file: its name
    /// without `.lua`); options for any other plugin name are an error.
    func policySettings(for reference: String) throws -> [(String, String)] {
        let all = try optionSettings()
        let name = PolicyReference.name(of: reference)
        if let other = all.keys.sorted().first(where: { $0 != name }) {
            throw ValidationError("--option \(other).KEY: no plugin named \(other) here (the policy is \(name))")
        }
        return all[name] ?? []
    }

    /// For commands that take plugin options only from the config file.
    func refuseOptions(_ command: String) throws {
        if !settings.isEmpty { throw ValidationError("\(command) takes plugin options from the config file, not --option") }
    }
}
