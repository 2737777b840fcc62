import EvictorCore
import EvictorScripting
import Foundation

/// The inventory step of `evictor run`: the config's inventory file when it is young enough,
/// else collected again from the config's sources. A stale inventory that cannot be collected
/// again, or a source that fails, stops the run before any registry is touched.
enum RunInventory {
    /// Why the inventory step stopped the run.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The inventory file to plan with, and what this step did; nil when the config has no
    /// `inventory`.
    static func prepare(
        _ config: InventoryConfig?, defaultFile: String, pluginPath: PluginPath, now: Date, pulled: PulledImages? = nil,
        protectedVariables: Set<String> = [], events: @escaping EngineEvents
    ) async throws -> RunRecord.InventoryStep? {
        guard let config else { return nil }
        let file = config.file ?? defaultFile
        let existing = FileManager.default.fileExists(atPath: file) ? try InventoryFile.read(file) : nil
        let age = existing.map { now.timeIntervalSince($0.generatedAt) }
        let fresh = age.map { age in config.maxAge.map { Double($0.seconds) >= age } ?? config.sources.isEmpty } ?? false
        if let existing, fresh {
            return RunRecord.InventoryStep(
                file: file, collected: false, generatedAt: existing.generatedAt, images: existing.images.count, sources: [:], error: nil)
        }
        guard !config.sources.isEmpty else {
            guard let age, let maxAge = config.maxAge else {
                throw Failure(description: "inventory: \(file) does not exist and inventory.sources is empty: nothing can collect it")
            }
            throw Failure(
                description: "inventory: \(file) was collected \(ConfigDuration.rounded(age)) ago, more than inventory.max_age \(maxAge.text), "
                    + "and inventory.sources is empty: nothing can collect it again")
        }
        var settings = InventoryCollection.Settings(
            sources: config.sources.map(Self.request), outputPath: file, pluginPath: pluginPath)
        settings.pulled = pulled
        settings.protectedVariables = protectedVariables
        settings.options = Dictionary(
            config.sources.map { source in
                (Self.request(source).name, source.options.sorted { $0.key < $1.key }.map { ($0.key, $0.value.optionText) })
            },
            uniquingKeysWith: { first, second in first + second })
        let inventory: Inventory
        do {
            inventory = try await InventoryCollection.collect(settings, events: events)
        } catch {
            throw Failure(description: "inventory: \(error)")
        }
        return RunRecord.InventoryStep(
            file: file, collected: true, generatedAt: inventory.generatedAt, images: inventory.images.count,
            sources: Dictionary(inventory.sources.map { ($0.name, $0.images) }, uniquingKeysWith: +), error: nil)
    }

    private static func request(_ source: InventorySourceConfig) -> InventoryCollection.SourceRequest {
        switch source.plugin {
        case .name(let name): InventoryCollection.SourceRequest(name: name, argument: source.argument, isFile: false)
        case .file(let file): InventoryCollection.SourceRequest(name: file, argument: source.argument, isFile: true)
        }
    }
}
