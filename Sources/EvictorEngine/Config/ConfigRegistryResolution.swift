import Foundation
import RegistryAPI

extension EvictorConfig {
    /// Whether a REGISTRY argument is a host or URL (it has `://`, a dot or a colon, or is
    /// `localhost`) rather than the name of a registry in a config file.
    public static func looksLikeHost(_ argument: String) -> Bool {
        argument.contains("://") || argument.contains(".") || argument.contains(":") || argument == "localhost"
    }

    /// The registry a REGISTRY argument names: the one with that `name`; nil when there is
    /// none and the argument is a host or URL; otherwise an error listing the names.
    public func registry(forArgument argument: String, file: String) throws(ConfigError) -> RegistryConfig? {
        if let registry = registry(named: argument) { return registry }
        if Self.looksLikeHost(argument) { return nil }
        throw .unknownRegistry(file: file, name: argument, known: registries.map(\.name))
    }
}

extension EvictorConfig {
    /// The registry whose `url` is `baseURL` (as a plan or journal records it: `scheme://host:port`).
    public func registry(atURL baseURL: String) -> RegistryConfig? {
        registries.first { (try? RegistryEndpoint(parsing: $0.url, plainHTTP: false))?.baseURL == baseURL }
    }
}

/// Turns a registry's `credentials` into the user name and password to log in with. Errors
/// name the variable, file or key, never a value.
public enum ConfigCredentials {
    /// The credentials of registry `name` (`credentials`) for `endpoint`.
    public static func resolve(
        _ credentials: RegistryCredentialsConfig, registry name: String, endpoint: RegistryEndpoint, environment: [String: String]
    ) throws(RegistryAPIError) -> RegistryCredentials {
        let source = "registry \(name) of the config file"
        switch credentials {
        case .environment(let usernameVariable, let passwordVariable):
            guard let username = environment[usernameVariable], !username.isEmpty else {
                throw .credentials("registry \(name): environment variable \(usernameVariable) (username_env) is not set")
            }
            guard let password = environment[passwordVariable] else {
                throw .credentials("registry \(name): environment variable \(passwordVariable) (password_env) is not set")
            }
            return RegistryCredentials(username: username, password: password, source: source)
        case .inline(let username, let password, _):
            return RegistryCredentials(username: username, password: password, source: source)
        case .file(let path):
            return try fromFile(path, registry: name)
        case .dockerConfig(let path):
            var resolver = CredentialResolver(environment: environment)
            resolver.dockerConfigFile = path
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw .credentials("registry \(name): cannot read docker_config \(path)")
            }
            guard let found = try resolver.fromDockerConfig(endpoint) else {
                throw .credentials("registry \(name): docker_config \(path) has no credentials for \(endpoint.hostPort)")
            }
            return found
        }
    }

    /// `file`: the first line is `username:password`, split at the first colon.
    static func fromFile(_ path: String, registry name: String) throws(RegistryAPIError) -> RegistryCredentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable" : "no such file"
            throw .credentials("registry \(name): cannot read credentials file \(path): \(reason)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let trimmed = text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard let colon = trimmed.firstIndex(of: ":"), colon != trimmed.startIndex else {
            throw .credentials("registry \(name): credentials file \(path): the first line must be username:password")
        }
        return RegistryCredentials(
            username: String(trimmed[..<colon]), password: String(trimmed[trimmed.index(after: colon)...]),
            source: "credentials file \(path)")
    }
}
