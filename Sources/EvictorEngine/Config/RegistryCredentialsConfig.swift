/// How to log in to a registry: exactly one kind. The file never holds a password itself.
public enum RegistryCredentialsConfig: Sendable, Equatable {
    /// `username_env` + `password_env`: the names of environment variables holding them.
    case environment(usernameVariable: String, passwordVariable: String)
    /// `username` + `password: ${VARIABLE}`: the password only as a variable, resolved.
    case inline(username: String, password: String, passwordVariable: String)
    /// `file`: a file whose first line is `username:password` (split at the first colon).
    case file(String)
    /// `docker_config`: Docker's `config.json` (`auths`, `credHelpers`, `credsStore`).
    case dockerConfig(String)

    /// Every environment variable the credentials name: their values are secrets.
    public var variables: [String] {
        switch self {
        case .environment(let username, let password): [username, password]
        case .inline(_, _, let password): [password]
        case .file, .dockerConfig: []
        }
    }
}

extension EvictorConfig {
    /// Every environment variable the registries' credentials name: withheld from inventory
    /// sources whatever their names (`SourceEnvironment.protectedNames`).
    public var credentialVariables: Set<String> {
        Set(registries.flatMap { $0.credentials?.variables ?? [] })
    }
}
