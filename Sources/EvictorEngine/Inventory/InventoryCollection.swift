import EvictorCore
import EvictorScripting
import Foundation
import LuaRuntime

/// The `inventory` use case: run the sources in parallel, merge what they saw, write the
/// inventory atomically. A failing source fails the run (and leaves an existing file alone)
/// unless it is allowed to fail.
public enum InventoryCollection {
    /// One source to run: a name on the plugin path or a file, with its argument.
    public struct SourceRequest: Sendable, Equatable {
        public var name: String
        public var argument: String?
        public var isFile: Bool

        public init(name: String, argument: String?, isFile: Bool) {
            self.name = name
            self.argument = argument
            self.isFile = isFile
        }

        /// `NAME[:ARG]` or `FILE.lua[:ARG]`.
        public init(parsing text: String) throws {
            if let colon = text.firstIndex(of: ":") {
                name = String(text[..<colon])
                argument = String(text[text.index(after: colon)...])
            } else {
                name = text
            }
            isFile = name.hasSuffix(".lua") || name.contains("/")
            guard !name.isEmpty else { throw EngineError.invalidSettings("--source \(text): missing source name") }
        }
    }

    public struct Settings: Sendable {
        public var sources: [SourceRequest]
        /// Options per source name: `(KEY, VALUE)` in order.
        public var options: [String: [(String, String)]] = [:]
        /// Sources whose failure is reported and skipped instead of failing the run.
        public var allowPartial: [String] = []
        public var outputPath: String
        public var pluginPath: PluginPath
        /// The pull history for sources with the `usage` capability (nil: none).
        public var pulled: PulledImages?
        /// Variables holding secrets whatever their name (the config's registry credentials):
        /// withheld from sources like `EVICTOR_*` (see `SourceEnvironment`).
        public var protectedVariables: Set<String> = []

        public init(sources: [SourceRequest], outputPath: String, pluginPath: PluginPath) {
            self.sources = sources
            self.outputPath = outputPath
            self.pluginPath = pluginPath
        }
    }

    /// Parses `SOURCE.KEY=VALUE` settings into options per source.
    public static func parseOptions(_ texts: [String]) throws -> [String: [(String, String)]] {
        var settings: [String: [(String, String)]] = [:]
        for option in texts {
            guard let dot = option.firstIndex(of: "."), let equals = option.firstIndex(of: "="), dot < equals else {
                throw EngineError.invalidSettings("--option \(option): expected NAME.KEY=VALUE (NAME: the plugin)")
            }
            settings[String(option[..<dot]), default: []].append(
                (String(option[option.index(after: dot)..<equals]), String(option[option.index(after: equals)...])))
        }
        return settings
    }

    /// Runs the sources and writes the inventory; returns it.
    public static func collect(_ settings: Settings, events: @escaping EngineEvents) async throws -> Inventory {
        let pluginPath = settings.pluginPath
        var plugins: [(SourceRequest, SourcePlugin)] = []
        for request in settings.sources {
            let script: PluginScript
            if request.isFile {
                script = PluginScript(file: request.name)
            } else {
                guard let found = pluginPath.script(in: "sources", named: request.name) else {
                    throw ScriptingError.notFound(kind: "source", name: request.name, searched: pluginPath.searched)
                }
                script = found
            }
            plugins.append(
                (request, try await SourcePlugin.load(script: script, pluginPath: pluginPath, log: pluginLogHandler(events, plugin: "inventory"))))
        }
        // Options are keyed by the source's name, or (a file source in a config) its file.
        let known = Set(plugins.map { $0.1.name } + plugins.map { $0.0.name })
        for name in settings.options.keys where !known.contains(name) {
            throw EngineError.invalidSettings("--option \(name).…: no source named \(name) in this run")
        }
        // Resolve every source's options before running any of them.
        var prepared: [(SourcePlugin, LuaValue)] = []
        for (request, plugin) in plugins {
            prepared.append(
                (
                    plugin,
                    try plugin.resolveOptions(
                        argument: request.argument, settings: settings.options[plugin.name] ?? settings.options[request.name] ?? [])
                ))
        }
        let outcomes = await BoundedConcurrency.map(prepared, limit: prepared.count) {
            (plugin, options) -> Result<[InventoryImage], ScriptingError> in
            do throws(ScriptingError) {
                return .success(
                    try await SourceRunner.collect(
                        plugin, options: options, pulled: settings.pulled,
                        environment: SourceEnvironment(protectedNames: settings.protectedVariables)))
            } catch {
                return .failure(error)
            }
        }
        var inventory = Inventory()
        for ((plugin, _), outcome) in zip(prepared, outcomes) {
            switch outcome {
            case .success(let images):
                inventory.add(images)
                inventory.sources.append(InventorySourceSummary(name: plugin.name, images: images.count))
            case .failure(let error):
                guard settings.allowPartial.contains(plugin.name) else { throw error }
                events(.warning("inventory: \(error.description) (allowed by --allow-partial \(plugin.name))"))
                inventory.sources.append(InventorySourceSummary(name: plugin.name, images: 0, failure: error.description))
            }
        }
        try InventoryFile.write(inventory, to: settings.outputPath)
        return inventory
    }
}
