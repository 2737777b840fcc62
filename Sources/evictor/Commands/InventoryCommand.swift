import ArgumentParser
import EvictorEngine
import EvictorCore
import EvictorScripting
import Foundation
import LuaRuntime

/// `evictor inventory`: runs inventory sources and writes `images.json` atomically.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Collect the images in use from inventory sources into images.json.",
        discussion: """
            Sources are Lua plugins: a NAME on the plugin path (--plugin-path DIRs' sources/NAME.lua, \
            then the built-in k8s, compose and static) or a FILE.lua. A source that fails \
            stops the run and leaves an existing output file untouched, unless --allow-partial \
            names it.
            """
    )

    @Option(name: .customLong("source"), help: "NAME[:ARG] or FILE.lua[:ARG]; repeatable (default: k8s).")
    var sources: [String] = []

    @Option(name: .customLong("allow-partial"), help: "Go on without this source if it fails; repeatable.")
    var allowPartial: [String] = []

    @Option(name: [.short, .customLong("output")], help: "Where to write the inventory.")
    var outputFile = "images.json"

    @Option(name: .long, help: "A config file (evictor.yaml): sources with the usage capability read its state directory's pull history.")
    var config: String?

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        var settings = InventoryCollection.Settings(
            sources: try (sources.isEmpty ? ["k8s"] : sources).map(InventoryCollection.SourceRequest.init(parsing:)), outputPath: outputFile,
            pluginPath: plugins.pluginPath
        )
        settings.options = try plugins.optionSettings()
        settings.allowPartial = allowPartial
        if let config {
            let loaded = try ConfigLoader.load(file: config, environment: ProcessInfo.processInfo.environment)
            settings.pulled = PulledImagesProvider.make(for: loaded)
            settings.protectedVariables = loaded.credentialVariables
            settings.pluginPath = plugins.pluginPath(with: loaded)
        }
        let inventory = try await InventoryCollection.collect(settings, events: CommandLog.events())
        let parts = inventory.sources.map { "\($0.name) \($0.failure == nil ? String($0.images) : "failed")" }.joined(separator: ", ")
        CommandLog.info("inventory: \(inventory.images.count) images (\(parts)) written to \(outputFile)")
    }
}
