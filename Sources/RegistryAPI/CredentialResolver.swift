import EvictorCore
import Foundation

/// Finds credentials for a registry, in order: command-line flags, `EVICTOR_USERNAME` /
/// `EVICTOR_PASSWORD`, the original tools' `registry_username` / `registry_password`, then
/// Docker's `config.json` (`$DOCKER_CONFIG` or `~/.docker`): `credHelpers`, `auths`
/// (`auth`, `username`/`password`, `identitytoken`), then `credsStore`.
public struct CredentialResolver: Sendable {
    public var environment: [String: String]
    /// Docker's `config.json` to read instead of the one `DOCKER_CONFIG` or the home directory gives.
    public var dockerConfigFile: String?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Credentials for `endpoint`, or nil for anonymous access.
    public func resolve(
        for endpoint: RegistryEndpoint, username: String? = nil, password: String? = nil
    ) throws(RegistryAPIError) -> RegistryCredentials? {
        if let username {
            guard let password else { throw .credentials("--username needs a password (use --password-stdin)") }
            return RegistryCredentials(username: username, password: password, source: "--username")
        }
        if let credentials = try pair("EVICTOR_USERNAME", "EVICTOR_PASSWORD") { return credentials }
        if let credentials = try pair("registry_username", "registry_password") { return credentials }
        return try fromDockerConfig(endpoint)
    }

    private func pair(_ userKey: String, _ passwordKey: String) throws(RegistryAPIError) -> RegistryCredentials? {
        guard let user = environment[userKey], !user.isEmpty else { return nil }
        guard let password = environment[passwordKey] else { throw .credentials("\(userKey) is set but \(passwordKey) is not") }
        return RegistryCredentials(username: user, password: password, source: userKey)
    }

    // MARK: - Docker config.json

    private struct DockerConfig: Decodable {
        struct Auth: Decodable {
            var auth: String?
            var username: String?
            var password: String?
            var identitytoken: String?
        }
        var auths: [String: Auth]?
        var credHelpers: [String: String]?
        var credsStore: String?
    }

    /// Path of the Docker client config that would be read.
    public var dockerConfigPath: String {
        if let dockerConfigFile { return dockerConfigFile }
        if let directory = environment["DOCKER_CONFIG"], !directory.isEmpty { return directory + "/config.json" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.docker/config.json"
    }

    /// Credentials for `endpoint` from Docker's `config.json` only (nil: it has none for the host).
    public func fromDockerConfig(_ endpoint: RegistryEndpoint) throws(RegistryAPIError) -> RegistryCredentials? {
        let path = dockerConfigPath
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let config: DockerConfig
        do {
            config = try JSONDecoder().decode(DockerConfig.self, from: data)
        } catch {
            throw .credentials("\(path) is not a valid Docker config (JSON)")
        }
        let host = endpoint.hostPort
        if let helper = config.credHelpers?[host] { return try fromHelper(helper, host: host) }
        for (key, entry) in config.auths ?? [:] where Self.authKey(key) == host {
            if let token = entry.identitytoken, !token.isEmpty {
                return RegistryCredentials(username: entry.username ?? "", password: "", identityToken: token, source: path)
            }
            if let encoded = entry.auth, !encoded.isEmpty {
                guard let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
                    let colon = decoded.firstIndex(of: ":")
                else { throw .credentials("\(path): auths[\"\(key)\"].auth is not base64 'user:password'") }
                return RegistryCredentials(
                    username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]), source: path)
            }
            if let user = entry.username, let password = entry.password {
                return RegistryCredentials(username: user, password: password, source: path)
            }
        }
        if let store = config.credsStore, !store.isEmpty { return try fromHelper(store, host: host) }
        return nil
    }

    /// `https://host:port/v1/` and `host:port` both name `host:port`.
    static func authKey(_ key: String) -> String {
        var text = key.lowercased()
        if let range = text.range(of: "://") { text = String(text[range.upperBound...]) }
        if let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        return text
    }

    private func fromHelper(_ name: String, host: String) throws(RegistryAPIError) -> RegistryCredentials? {
        let program = "docker-credential-\(name)"
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }),
            let path = ExecutableSearch.find(program, environment: environment)
        else { throw .credentials("credential helper \(program) not found on PATH") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["get"]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
            input.fileHandleForWriting.write(Data(host.utf8))
            try input.fileHandleForWriting.close()
        } catch {
            throw .credentials("cannot run \(program): \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        _ = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            // "credentials not found" is not an error: the registry may allow anonymous access.
            return nil
        }
        struct HelperAnswer: Decodable {
            var Username: String
            var Secret: String
        }
        guard let answer = try? JSONDecoder().decode(HelperAnswer.self, from: data) else {
            throw .credentials("\(program) get returned unexpected output")
        }
        if answer.Username == "<token>" {
            return RegistryCredentials(username: "", password: "", identityToken: answer.Secret, source: program)
        }
        return RegistryCredentials(username: answer.Username, password: answer.Secret, source: program)
    }
}
