import ArgumentParser
import EvictorCore

/// The `evictor` command line: thin subcommands over the engine.
@main
struct EvictorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evictor",
        abstract: "Keep self-hosted Docker/OCI registries lean and healthy.",
        discussion: """
            Evictor collects the images in use, lists and health-checks a registry, decides with \
            a Lua retention policy what may go and deletes it safely, and repairs a registry's \
            on-disk storage.
            """,
        version: EvictorVersion.current,
        subcommands: [ListCommand.self, CountCommand.self, CheckCommand.self, InventoryCommand.self, PlanCommand.self, ApplyCommand.self, EvictCommand.self, RestoreCommand.self, PolicyCommand.self, StorageCommand.self, PluginsCommand.self]
    )
}
