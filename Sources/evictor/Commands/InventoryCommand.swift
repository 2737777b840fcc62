import ArgumentParser
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

    @Option(name: .customLong("option"), help: "SOURCE.KEY=VALUE, an option for one source; repeatable.")
    var options: [String] = []

    @Option(name: .customLong("allow-partial"), help: "Go on without this source if it fails; repeatable.")
    var allowPartial: [String] = []

    @Option(name: [.short, .customLong("output")], help: "Where to write the inventory.")
    var outputFile = "images.json"

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        let pluginPath = plugins.pluginPath
        let requests = try (sources.isEmpty ? ["k8s"] : sources).map(SourceRequest.init(parsing:))
        var settings: [String: [(String, String)]] = [:]
        for option in options {
            guard let dot = option.firstIndex(of: "."), let equals = option.firstIndex(of: "="), dot < equals else {
                throw ValidationError("--option \(option): expected SOURCE.KEY=VALUE")
            }
            settings[String(option[..<dot]), default: []].append((String(option[option.index(after: dot)..<equals]), String(option[option.index(after: equals)...])))
        }
        let log = CommandLog.handler(prefix: "inventory")
        var plugins: [(SourceRequest, SourcePlugin)] = []
        for request in requests {
            let script: PluginScript
            if request.isFile {
                script = PluginScript(file: request.name)
            } else {
                guard let found = pluginPath.script(in: "sources", named: request.name) else {
                    throw ScriptingError.notFound(kind: "source", name: request.name, searched: pluginPath.searched)
                }
                script = found
            }
            plugins.append((request, try await SourcePlugin.load(script: script, pluginPath: pluginPath, log: log)))
        }
        let known = Set(plugins.map { $0.1.name })
        for name in settings.keys where !known.contains(name) {
            throw ValidationError("--option \(name).…: no source named \(name) in this run")
        }

        // Resolve every source's options before running any of them.
        var prepared: [(SourcePlugin, LuaValue)] = []
        for (request, plugin) in plugins {
            prepared.append((plugin, try plugin.resolveOptions(argument: request.argument, settings: settings[plugin.name] ?? [])))
        }
        let outcomes = await withTaskGroup(of: (Int, Result<[InventoryImage], ScriptingError>).self) { group in
            for (index, (plugin, options)) in prepared.enumerated() {
                group.addTask {
                    do { return (index, .success(try await SourceRunner.collect(plugin, options: options))) } catch {
                        return (index, .failure(error as? ScriptingError ?? .sourceFailed(source: plugin.name, reason: "\(error)")))
                    }
                }
            }
            var results = [(Int, Result<[InventoryImage], ScriptingError>)]()
            for await outcome in group { results.append(outcome) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }

        var inventory = Inventory()
        for ((plugin, _), outcome) in zip(prepared, outcomes) {
            switch outcome {
            case .success(let images):
                inventory.add(images)
                inventory.sources.append(InventorySourceSummary(name: plugin.name, images: images.count))
            case .failure(let error):
                guard allowPartial.contains(plugin.name) else { throw error }
                CommandLog.warn("inventory: \(error.description) (allowed by --allow-partial \(plugin.name))")
                inventory.sources.append(InventorySourceSummary(name: plugin.name, images: 0, failure: error.description))
            }
        }
        try InventoryFile.write(inventory, to: outputFile)
        let parts = inventory.sources.map { "\($0.name) \($0.failure == nil ? String($0.images) : "failed")" }.joined(separator: ", ")
        CommandLog.info("inventory: \(inventory.images.count) images (\(parts)) written to \(outputFile)")
    }
}

/// `NAME[:ARG]` or `FILE.lua[:ARG]`.
struct SourceRequest {
    var name: String
    var argument: String?
    var isFile: Bool

    init(parsing text: String) throws {
        if let colon = text.firstIndex(of: ":") {
            name = String(text[..<colon])
            argument = String(text[text.index(after: colon)...])
        } else {
            name = text
        }
        isFile = name.hasSuffix(".lua") || name.contains("/")
        guard !name.isEmpty else { throw ValidationError("--source \(text): missing source name") }
    }
}
