import EvictorScripting
import Foundation

extension Planning.Settings {
    /// The settings a config file gives registry `registry`: every policy with its options and
    /// repository pattern, the inventory file, aliases, the store and `safety`.
    public init(configured registry: RegistryConfig, in config: EvictorConfig, pluginPath: PluginPath) throws(ConfigError) {
        self.init(
            policies: registry.policies.map { configured in
                Planning.PolicyChoice(
                    policy: configured.policy, options: configured.options.sorted { $0.key < $1.key }.map { ($0.key, $0.value.optionText) },
                    repositories: configured.repositories)
            },
            pluginPath: pluginPath)
        inventoryPath = config.inventory?.file
        aliases = registry.aliases
        storage = try registry.storage.map { configured throws(ConfigError) in try StorageSource(checking: configured) }
        maxDeletePercent = config.safety.maxDeletePercent
        minInventory = config.safety.minInventory
        // The pull history `serve` keeps, when there is one.
        let usage = "\(config.state.directory)/\(UsageStore.fileName)"
        if FileManager.default.fileExists(atPath: usage) {
            usagePath = usage
            usageRegistry = registry.name
        }
    }
}

extension ConfigValue {
    /// The value as `--policy-option KEY=VALUE` would give it (a list: its items joined by commas).
    public var optionText: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .list(let items): items.map(\.optionText).joined(separator: ",")
        }
    }
}
