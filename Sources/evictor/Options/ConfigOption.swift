import ArgumentParser
import EvictorEngine
import Foundation

/// `--config FILE` of the commands that take a REGISTRY argument: the argument may then be a
/// registry's `name` in the file, whose settings are used where no flag is given.
struct ConfigOption: ParsableArguments {
    @Option(
        name: .long,
        help: "The config file (evictor.yaml): REGISTRY may be a registry's name in it (default: $EVICTOR_CONFIG when REGISTRY is no host or URL).")
    var config: String?

    /// Whether a config file may be read for `argument` (`--config`, or `EVICTOR_CONFIG` for a name).
    func mayApply(to argument: String) -> Bool {
        if let config, !config.isEmpty { return true }
        let named = ProcessInfo.processInfo.environment[ConfigLoader.environmentVariable] ?? ""
        return !named.isEmpty && !EvictorConfig.looksLikeHost(argument)
    }

    /// `argument` resolved: `--config`, else `EVICTOR_CONFIG` unless `argument` is a host or
    /// URL, is loaded; a registry named `argument` in it gives its settings.
    func resolve(_ argument: String) throws -> ResolvedRegistry {
        let environment = ProcessInfo.processInfo.environment
        let file: String
        if let config, !config.isEmpty {
            file = config
        } else if let named = environment[ConfigLoader.environmentVariable], !named.isEmpty, !EvictorConfig.looksLikeHost(argument) {
            file = named
        } else {
            return ResolvedRegistry(argument: argument)
        }
        let loaded = try ConfigLoader.load(file: file, environment: environment)
        return ResolvedRegistry(argument: argument, registry: try loaded.registry(forArgument: argument, file: file), config: loaded)
    }
}

/// `--config FILE` of the commands that take a plan or journal (`apply`, `restore`): the
/// registry it names by URL gets its settings (credentials, TLS, limits) from the file.
struct RecordedRegistryConfigOption: ParsableArguments {
    @Option(name: .long, help: "The config file (evictor.yaml) whose registry with the plan's or journal's URL gives credentials, TLS and limits.")
    var config: String?

    /// `url` with the file's registry at that URL (or of that name); an error when the file has none.
    func resolve(url: String) throws -> ResolvedRegistry {
        guard let config, !config.isEmpty else { return ResolvedRegistry(argument: url) }
        let loaded = try ConfigLoader.load(file: config, environment: ProcessInfo.processInfo.environment)
        guard let registry = loaded.registry(named: url) ?? loaded.registry(atURL: url) else {
            throw ValidationError("\(config) has no registry with url \(url) (registries: \(loaded.registries.map(\.name).joined(separator: ", ")))")
        }
        return ResolvedRegistry(argument: url, registry: registry, config: loaded)
    }
}

/// A REGISTRY argument and, when it names one, the config file's registry.
struct ResolvedRegistry {
    var argument: String
    /// The config file's registry `argument` names (nil: `argument` is a host or URL).
    var registry: RegistryConfig?
    /// The config file loaded (nil: none was given).
    var config: EvictorConfig?

    /// Where the client connects: the registry's `url`, else the argument.
    var location: String { registry?.url ?? argument }
}
