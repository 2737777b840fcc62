import EvictorScripting

/// The policies a config file names, loaded and their options resolved as a plan would do, so
/// `evictor config check` finds a missing policy or an option it refuses (`keep: five`) before
/// a nightly run does.
public enum ConfigPolicyCheck {
    /// Throws the first policy that does not load or refuses its options, as an
    /// `invalidValue` at its key path (`registries[0].policies[1].options`).
    public static func check(_ config: EvictorConfig, file: String, pluginPath: PluginPath) async throws(ConfigError) {
        for (registryIndex, registry) in config.registries.enumerated() {
            for (policyIndex, configured) in registry.policies.enumerated() {
                let path = "registries[\(registryIndex)].policies[\(policyIndex)]"
                let plugin: PolicyPlugin
                do {
                    plugin = try await PolicyPlugin.load(named: configured.policy, pluginPath: pluginPath, log: { _, _ in })
                } catch {
                    throw .invalidValue(file: file, path: "\(path).policy", reason: "\(error)")
                }
                let settings = configured.options.sorted { $0.key < $1.key }.map { ($0.key, $0.value.optionText) }
                do {
                    _ = try plugin.resolveOptions(settings: settings)
                } catch {
                    throw .invalidValue(file: file, path: "\(path).options", reason: "\(error)")
                }
            }
        }
    }
}
