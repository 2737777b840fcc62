import ArgumentParser
import EvictorScripting

/// Where to find plugins; shared by commands that load any.
struct PluginOptions: ParsableArguments {
    @Option(name: .customLong("plugin-path"), help: "A plugin directory (with sources/, fixers/, lib/); repeatable. Also EVICTOR_PLUGIN_PATH.")
    var directories: [String] = []

    var pluginPath: PluginPath { PluginPath.resolve(explicit: directories) }
}
