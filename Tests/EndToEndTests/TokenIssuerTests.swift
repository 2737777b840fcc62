import EvictorTestSupport
import Foundation
import Testing

@Suite("Test support: a registry in auth.token mode with the test token issuer")
struct TokenIssuerTests {
    @Test("pushes and reads back with bearer tokens; a wrong password is refused")
    func pushAndInspectWithTokens() async throws {
        let user = "evictor"
        let password = "s3cret-\(UUID().uuidString.prefix(8))"
        try await TokenIssuer.with(users: [user: password]) { issuer in
            var options = RegistryOptions()
            options.tokenAuth = issuer.tokenAuthOptions
            try await RegistryServer.with(options) { registry in
                let layout = try OCILayoutBuilder.temporary()
                defer { layout.remove() }
                let image = try layout.addImage(
                    tag: "v1",
                    TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: "token-v1")
                )
                try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "team/secure", credentials: (user, password))

                let raw = try await Skopeo.inspectRaw(registry, "team/secure:v1", credentials: (user, password))
                #expect(raw == image.bytes)

                let scopes = issuer.requestedScopes
                #expect(scopes.contains { $0.hasPrefix("repository:team/secure:") && $0.contains("push") })
                #expect(scopes.contains { $0.hasPrefix("repository:team/secure:") && $0.contains("pull") })
                #expect(issuer.tokenRequestCount >= 2)

                let before = issuer.tokenRequestCount
                await #expect(throws: (any Error).self) {
                    _ = try await Skopeo.inspectRaw(registry, "team/secure:v1", credentials: (user, "wrong-password"))
                }
                // The refusal came from the token server, not from a missing route.
                #expect(issuer.tokenRequestCount > before)
                // Without credentials the registry answers 401 as well.
                #expect(await !Skopeo.canInspect(registry, "team/secure:v1"))
            }
        }
    }
}
