import EvictorTestSupport
import Foundation
import Synchronization
import Testing
@testable import RegistryAPI

/// What a request that failed every attempt reports when its attempts failed in different ways.
@Suite("The error after the last attempt")
struct RetryOutcomeTests {
    /// Per manifest tag, the statuses its HEADs get in turn (the last one repeats).
    static let scripts: [String: [Int]] = [
        // The registry fails on the manifest; a gateway's 502 or 503 happens to answer last.
        "corrupt-then-502": [500, 500, 500, 500, 502],
        "corrupt-then-503": [500, 503, 500, 500, 503],
        // A 502 or 429 on the way, the registry's 500 last.
        "gateway-then-corrupt": [502, 429, 502, 502, 500],
        // No 500 at all: the last failure stands.
        "gateway-only": [502, 503, 502, 502, 502],
    ]

    static func client(_ url: String) throws -> RegistryClient {
        var configuration = RegistryClientConfiguration(endpoint: try RegistryEndpoint(parsing: url))
        configuration.maxAttempts = 5
        configuration.initialBackoff = 0.01
        return try RegistryClient(configuration)
    }

    @Test("a 500 that any attempt got is the answer, whichever transient failure came last; without one the last failure stands")
    func registryAnswerWins() async throws {
        let counts = Mutex<[String: Int]>([:])
        try await ScriptedRegistry.with({ method, uri in
            guard method == "HEAD", let tag = uri.split(separator: "/").last.map(String.init), let script = Self.scripts[tag] else { return nil }
            let index = counts.withLock { counts -> Int in
                defer { counts[tag, default: 0] += 1 }
                return counts[tag, default: 0]
            }
            var answer = ScriptedAnswer(status: script[min(index, script.count - 1)])
            if answer.status == 429 { answer.headers = [("Retry-After", "0")] }
            return answer
        }) { registry in
            let client = try Self.client(registry.url)
            defer { Task { await client.shutdown() } }
            let host = try RegistryEndpoint(parsing: registry.url).hostPort
            for tag in ["corrupt-then-502", "corrupt-then-503", "gateway-then-corrupt"] {
                let error = await #expect(throws: RegistryAPIError.self) { try await client.manifestHead("damaged/app", reference: tag) }
                #expect(error == .serverError(registry: host, what: "manifest damaged/app:\(tag)", status: 500, attempts: 5), "\(tag)")
            }
            let error = await #expect(throws: RegistryAPIError.self) { try await client.manifestHead("damaged/app", reference: "gateway-only") }
            #expect(error == .serverError(registry: host, what: "manifest damaged/app:gateway-only", status: 502, attempts: 5))
            #expect(counts.withLock { $0 } == ["corrupt-then-502": 5, "corrupt-then-503": 5, "gateway-then-corrupt": 5, "gateway-only": 5])
        }
    }
}
