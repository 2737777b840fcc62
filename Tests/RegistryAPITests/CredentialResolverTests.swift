import Foundation
import Testing
@testable import RegistryAPI

@Suite("Credentials come from flags, environment and Docker's config.json")
struct CredentialResolverTests {
    let endpoint: RegistryEndpoint

    init() throws {
        endpoint = try RegistryEndpoint(parsing: "registry.example.com:5000")
    }

    func withConfig(_ json: String, _ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-docker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try json.write(to: directory.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        try body(directory.path)
    }

    @Test("flags win, then EVICTOR_*, then registry_*")
    func precedence() throws {
        let environment = [
            "EVICTOR_USERNAME": "env", "EVICTOR_PASSWORD": "p1", "registry_username": "old", "registry_password": "p2", "HOME": "/nonexistent",
        ]
        let resolver = CredentialResolver(environment: environment)
        #expect(try resolver.resolve(for: endpoint, username: "flag", password: "p0")?.username == "flag")
        #expect(try resolver.resolve(for: endpoint)?.username == "env")
        let legacy = CredentialResolver(environment: ["registry_username": "old", "registry_password": "p2", "HOME": "/nonexistent"])
        #expect(try legacy.resolve(for: endpoint)?.username == "old")
        #expect(try CredentialResolver(environment: ["HOME": "/nonexistent"]).resolve(for: endpoint) == nil)
        #expect(throws: RegistryAPIError.self) { try CredentialResolver(environment: ["EVICTOR_USERNAME": "x"]).resolve(for: endpoint) }
    }

    @Test("config.json auths: base64 auth, explicit fields, identity tokens, URL-style keys")
    func dockerConfig() throws {
        let encoded = Data("alice:s3cret:with:colons".utf8).base64EncodedString()
        try withConfig(#"{"auths":{"https://registry.example.com:5000/v1/":{"auth":"\#(encoded)"}}}"#) { directory in
            let credentials = try CredentialResolver(environment: ["DOCKER_CONFIG": directory]).resolve(for: endpoint)
            #expect(credentials?.username == "alice")
            #expect(credentials?.password == "s3cret:with:colons")
            #expect(credentials?.description.contains("s3cret") == false)
        }
        try withConfig(#"{"auths":{"registry.example.com:5000":{"identitytoken":"refresh-me"}}}"#) { directory in
            let credentials = try CredentialResolver(environment: ["DOCKER_CONFIG": directory]).resolve(for: endpoint)
            #expect(credentials?.identityToken == "refresh-me")
        }
        try withConfig(#"{"auths":{"other.example.com":{"auth":"\#(encoded)"}}}"#) { directory in
            let credentials = try CredentialResolver(environment: ["DOCKER_CONFIG": directory]).resolve(for: endpoint)
            #expect(credentials == nil)
        }
        try withConfig("{not json") { directory in
            let resolver = CredentialResolver(environment: ["DOCKER_CONFIG": directory])
            #expect(throws: RegistryAPIError.self) { try resolver.resolve(for: endpoint) }
        }
    }

    @Test("credHelpers and credsStore run docker-credential-NAME get")
    func helpers() throws {
        let bin = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-bin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        let helper = bin.appendingPathComponent("docker-credential-evictortest")
        // A real helper program speaking the credential-helper protocol: host on stdin, JSON out.
        try """
        #!/bin/sh
        read host
        [ "$1" = get ] || exit 1
        [ "$host" = "registry.example.com:5000" ] || { echo "credentials not found in native keychain"; exit 1; }
        printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-secret"}' "$host"
        """.write(to: helper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper.path)
        let path = "\(bin.path):/usr/bin:/bin"
        try withConfig(#"{"credHelpers":{"registry.example.com:5000":"evictortest"}}"#) { directory in
            let credentials = try CredentialResolver(environment: ["DOCKER_CONFIG": directory, "PATH": path]).resolve(for: endpoint)
            #expect(credentials?.username == "helper-user")
            #expect(credentials?.password == "helper-secret")
        }
        try withConfig(#"{"credsStore":"evictortest"}"#) { directory in
            let other = try RegistryEndpoint(parsing: "elsewhere.example.com")
            #expect(try CredentialResolver(environment: ["DOCKER_CONFIG": directory, "PATH": path]).resolve(for: other) == nil)
            #expect(
                try CredentialResolver(environment: ["DOCKER_CONFIG": directory, "PATH": path]).resolve(for: endpoint)?.username == "helper-user")
        }
        try withConfig(#"{"credsStore":"missing"}"#) { directory in
            let resolver = CredentialResolver(environment: ["DOCKER_CONFIG": directory, "PATH": path])
            #expect(throws: RegistryAPIError.self) { try resolver.resolve(for: endpoint) }
        }
    }
}
