import Foundation

/// What an inventory source may see of Evictor's environment. Evictor's own secrets (its
/// registry credentials, cloud keys, tokens) are never handed to a source unless it names the
/// variable in `capabilities.env`; a command a source runs starts from a minimal environment
/// (`baseline`) plus the variables the source names.
public struct SourceEnvironment: Sendable {
    /// The process environment the values come from.
    public var variables: [String: String]
    /// More names to withhold: the variables the config's registry credentials name.
    public var protectedNames: Set<String>

    /// `protectedNames`: variables holding secrets whatever their name (the config's `password_env`...).
    public init(variables: [String: String] = ProcessInfo.processInfo.environment, protectedNames: Set<String> = []) {
        self.variables = variables
        self.protectedNames = protectedNames
    }

    /// What every command a source runs gets (when set): the search path, home, locale, time
    /// zone, temporary directory and the kubeconfig.
    public static let baseline: Set<String> = ["PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "KUBECONFIG"]

    /// Prefixes and name parts of variables that hold secrets (upper-cased names).
    static let secretPrefixes = ["EVICTOR_", "AWS_"]
    static let secretParts = ["PASSWORD", "PASSWD", "TOKEN", "SECRET", "CREDENTIAL", "API_KEY", "APIKEY", "PRIVATE_KEY"]

    /// Whether `name` is withheld from a source that does not name it: Evictor's own
    /// (`EVICTOR_*`), cloud credentials (`AWS_*`), anything named like a secret (the original
    /// tools' `registry_password`, `GITHUB_TOKEN`...), and `protectedNames`.
    public func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return protectedNames.contains(name) || Self.secretPrefixes.contains { upper.hasPrefix($0) }
            || Self.secretParts.contains { upper.contains($0) }
    }

    /// `host.env(name)`: a variable the source named, or (with `env = true`) any that is not a secret.
    func value(_ name: String, capabilities: SourceCapabilities) throws -> String? {
        if capabilities.env.contains(name) { return variables[name] }
        guard capabilities.anyEnv else { throw EnvironmentRefusal("environment variable \(name) was not declared in capabilities.env") }
        guard !isSecret(name) else {
            throw EnvironmentRefusal(
                "environment variable \(name) is withheld from sources (it may hold a secret); a source that needs it names it in capabilities.env")
        }
        return variables[name]
    }

    /// The environment of a command a source runs: `baseline` and `LC_*`, the variables the
    /// source named in `capabilities.env`, then `extra` (the source's own `env` option of `host.run`).
    func command(capabilities: SourceCapabilities, extra: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in variables where Self.baseline.contains(name) || name.hasPrefix("LC_") || capabilities.env.contains(name) {
            result[name] = value
        }
        result.merge(extra) { _, given in given }
        return result
    }
}

/// Why `host.env` refused a variable.
struct EnvironmentRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
