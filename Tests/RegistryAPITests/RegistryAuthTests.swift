import EvictorCore
import EvictorTestSupport
import Foundation
import Testing
@testable import RegistryAPI

@Suite("Authentication: basic (htpasswd) and bearer tokens")
struct RegistryAuthTests {
    @Test("basic auth against an htpasswd registry; a wrong password fails naming the registry, not the secret")
    func basicAuth() async throws {
        try await RegistryServer.withBasicAuth(user: "alice", password: "correct-horse") { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            try layout.addImage(tag: "v1", TestImageSpec(created: Date(), layerSeed: "basic"))
            try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "private/app", credentials: ("alice", "correct-horse"))

            let good = try makeClient(registry, credentials: RegistryCredentials(username: "alice", password: "correct-horse", source: "test"))
            try await good.ping()
            #expect(try await good.repositories() == ["private/app"])
            #expect(try await good.tags(of: "private/app") == ["v1"])
            await good.shutdown()

            let anonymous = try makeClient(registry)
            await #expect(throws: RegistryAPIError.self) { try await anonymous.repositories() }
            await anonymous.shutdown()

            let wrong = try makeClient(registry, credentials: RegistryCredentials(username: "alice", password: "wrong-battery", source: "test"))
            let error = await #expect(throws: RegistryAPIError.self) { try await wrong.tags(of: "private/app") }
            await wrong.shutdown()
            let text = error?.description ?? ""
            #expect(text.contains(registry.hostPort))
            #expect(text.contains("alice"))
            #expect(!text.contains("wrong-battery"))
            #expect(!text.contains("\n"))
        }
    }

    @Test("bearer tokens from the registry's token service, per scope, cached")
    func bearerAuth() async throws {
        try await TokenIssuer.with(users: ["bob": "token-pass"]) { issuer in
            var options = RegistryOptions()
            options.tokenAuth = issuer.tokenAuthOptions
            try await RegistryServer.with(options) { registry in
                let layout = try OCILayoutBuilder.temporary()
                defer { layout.remove() }
                let built = try layout.addImage(tag: "v1", TestImageSpec(created: Date(), layerSeed: "bearer"))
                try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "secure/app", credentials: ("bob", "token-pass"))
                let before = issuer.tokenRequestCount

                let client = try makeClient(registry, credentials: RegistryCredentials(username: "bob", password: "token-pass", source: "test"))
                #expect(try await client.repositories() == ["secure/app"])
                #expect(try await client.tags(of: "secure/app") == ["v1"])
                let manifest = try await client.manifest("secure/app", reference: "v1")
                #expect(manifest.digest.description == built.digest)
                _ = try await client.manifestHead("secure/app", reference: "v1")
                let scopes = issuer.requestedScopes
                #expect(scopes.contains("registry:catalog:*"))
                #expect(scopes.contains("repository:secure/app:pull"))
                // One token per scope, reused: catalog + pull.
                #expect(issuer.tokenRequestCount - before == 2)
                #expect(try await client.deleteManifest("secure/app", digest: manifest.digest))
                #expect(issuer.requestedScopes.contains("repository:secure/app:pull,delete"))
                await client.shutdown()

                let wrong = try makeClient(registry, credentials: RegistryCredentials(username: "bob", password: "not-it", source: "test"))
                let error = await #expect(throws: RegistryAPIError.self) { try await wrong.repositories() }
                await wrong.shutdown()
                #expect(error?.description.contains(registry.hostPort) == true)
                #expect(error?.description.contains("not-it") == false)
            }
        }
    }
}
