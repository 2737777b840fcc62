import EvictorEngine
import Foundation
import RegistryAPI
import Testing

/// A registry's `credentials` turned into a login: each form, and one error line naming the
/// variable or file (never a value) when it cannot be.
@Suite("config credentials and registry names")
struct ConfigCredentialsTests {
    static let endpoint = try! RegistryEndpoint(parsing: "registry.example.com", plainHTTP: false)

    static func resolve(_ credentials: RegistryCredentialsConfig, _ environment: [String: String] = [:]) throws -> RegistryCredentials {
        try ConfigCredentials.resolve(credentials, registry: "main", endpoint: endpoint, environment: environment)
    }

    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-cred-\(UUID().uuidString)").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("username_env + password_env: read from the environment; a missing variable is named")
    func environment() throws {
        let form = RegistryCredentialsConfig.environment(usernameVariable: "U", passwordVariable: "P")
        let found = try Self.resolve(form, ["U": "ci", "P": "s3cret"])
        #expect(found.username == "ci" && found.password == "s3cret")
        #expect(!found.description.contains("s3cret"))
        #expect(throws: RegistryAPIError.credentials("registry main: environment variable P (password_env) is not set")) {
            try Self.resolve(form, ["U": "ci"])
        }
        #expect(throws: RegistryAPIError.credentials("registry main: environment variable U (username_env) is not set")) {
            try Self.resolve(form, ["P": "s3cret"])
        }
    }

    @Test("file: the first line split at the first colon; unreadable or malformed is one line without the content")
    func file() throws {
        let good = try Self.temporaryFile("ci:pa:ss\r\nignored\n")
        defer { try? FileManager.default.removeItem(atPath: good) }
        let found = try Self.resolve(.file(good))
        #expect(found.username == "ci" && found.password == "pa:ss")

        let bad = try Self.temporaryFile("only-a-secret-no-colon\n")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        do {
            _ = try Self.resolve(.file(bad))
            Issue.record("a malformed file resolved")
        } catch {
            #expect("\(error)".contains("the first line must be username:password"))
            #expect(!"\(error)".contains("only-a-secret"))
        }
        #expect(throws: RegistryAPIError.credentials("registry main: cannot read credentials file /nonexistent/creds: no such file")) {
            try Self.resolve(.file("/nonexistent/creds"))
        }
    }

    @Test("docker_config: the host's auths entry; none for the host is an error")
    func dockerConfig() throws {
        let auth = Data("robot:tok3n".utf8).base64EncodedString()
        let path = try Self.temporaryFile(#"{"auths": {"https://registry.example.com/v1/": {"auth": "\#(auth)"}}}"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let found = try Self.resolve(.dockerConfig(path))
        #expect(found.username == "robot" && found.password == "tok3n")
        let other = try RegistryEndpoint(parsing: "other.example.com", plainHTTP: false)
        #expect(throws: RegistryAPIError.self) {
            try ConfigCredentials.resolve(.dockerConfig(path), registry: "main", endpoint: other, environment: [:])
        }
    }

    @Test("a REGISTRY argument: a name, a host or URL (nil), or an error listing the names")
    func registryArgument() throws {
        let config = try ConfigLoader.parse(
            "version: 1\nregistries:\n  - name: main\n    url: https://r.example.com\n  - name: ci\n    url: ci.example.com:5000\n",
            file: "e.yaml", environment: [:])
        #expect(try config.registry(forArgument: "main", file: "e.yaml")?.url == "https://r.example.com")
        #expect(try config.registry(forArgument: "127.0.0.1:5000", file: "e.yaml") == nil)
        #expect(try config.registry(forArgument: "http://localhost", file: "e.yaml") == nil)
        #expect(throws: ConfigError.unknownRegistry(file: "e.yaml", name: "mian", known: ["main", "ci"])) {
            try config.registry(forArgument: "mian", file: "e.yaml")
        }
    }
}
