import ArgumentParser
import EvictorScripting

/// Where to find plugins; shared by commands that load any.
struct PluginOptions: ParsableArguments {
    @Option(
        name: .customLong("plugin-path"),
        help: """
            A plugin directory (sources/, fixers/, lib/, policies/) searched before EVICTOR_PLUGIN_PATH \
            and the built-ins; the first that has a plugin wins; repeatable.
            """
    )
    var directories: [String] = []

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Show what plugins print and log at info and debug level (on stderr).")
    var verbose = false

    func validate() throws {
        if verbose { CommandLog.showPluginInfo() }
    }

    var pluginPath: PluginPath { PluginPath.resolve(explicit: directories) }
}
