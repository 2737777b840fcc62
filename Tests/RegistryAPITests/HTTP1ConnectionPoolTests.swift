import EvictorTestSupport
import Foundation
import NIOCore
import Testing
@testable import RegistryAPI

@Suite("Keep-alive connections to the registry's origin")
struct HTTP1ConnectionPoolTests {
    /// A client for `url` with `concurrency` and quick retries.
    static func client(_ url: String, concurrency: Int) throws -> RegistryClient {
        var configuration = RegistryClientConfiguration(endpoint: try RegistryEndpoint(parsing: url))
        configuration.concurrency = concurrency
        configuration.initialBackoff = 0.05
        return try RegistryClient(configuration)
    }

    @Test("300 requests, 6 at a time, go over at most 6 connections and every answer is the right one")
    func reuse() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-pool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let seeder = StorageSeeder(root: work)
        for index in 0..<20 {
            try seeder.image(
                repository: "pool/app-\(index)", tags: ["t-\(index)"],
                spec: TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: "pool-\(index)"))
        }
        var options = RegistryOptions()
        options.storageRoot = work
        try await RegistryServer.with(options) { registry in
            let client = try Self.client(registry.url, concurrency: 6)
            defer { Task { await client.shutdown() } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let tags = try await client.tags(of: "pool/app-\(index % 20)")
                        #expect(tags == ["t-\(index % 20)"])
                    }
                }
                try await group.waitForAll()
            }
            #expect(client.requestCount == 300)
            #expect(client.retryCount == 0)
            #expect((1...6).contains(client.connectionCount), "\(client.connectionCount) connections")
        }
    }

    @Test("an answer with Connection: close is read whole and its connection is not used again")
    func connectionClose() async throws {
        let registry = try await ScriptedRegistry.start { _, uri in
            uri.contains("/tags/list") ? .json(#"{"name":"a/b","tags":["x"]}"#, headers: [("Connection", "close")]) : nil
        }
        defer { Task { await registry.stop() } }
        let client = try Self.client(registry.url, concurrency: 1)
        defer { Task { await client.shutdown() } }
        for _ in 0..<3 {
            #expect(try await client.tags(of: "a/b") == ["x"])
        }
        #expect(client.connectionCount == 3)
        #expect(client.retryCount == 0)
    }

    @Test("a redirect on the registry's own origin is followed (sent again through the redirect-following client)")
    func redirect() async throws {
        let registry = try await ScriptedRegistry.start { _, uri in
            if uri.hasPrefix("/v2/a/b/tags/list") { return ScriptedAnswer(status: 307, headers: [("Location", "/v2/moved/tags/list")]) }
            if uri.hasPrefix("/v2/moved/tags/list") { return .json(#"{"name":"a/b","tags":["y"]}"#) }
            return nil
        }
        defer { Task { await registry.stop() } }
        let client = try Self.client(registry.url, concurrency: 2)
        defer { Task { await client.shutdown() } }
        #expect(try await client.tags(of: "a/b") == ["y"])
        let tagRequests = registry.requests.filter { $0.contains("/tags/list") }
        #expect(tagRequests.count == 3, "\(tagRequests)")
        #expect(client.requestCount == 2)
    }

    @Test("a request past its deadline fails as a timeout, in its time, and its connection is not used again")
    func deadline() async throws {
        try await RegistryServer.with { registry in
            var stall = FaultPlan(rate: 1, faults: [.stall], seed: 1)
            stall.stallSeconds = 30
            let proxy = try await FaultProxy.start(upstreamPort: registry.port, plan: .none)
            defer { Task { await proxy.stop() } }
            var configuration = RegistryClientConfiguration(endpoint: try RegistryEndpoint(parsing: proxy.url))
            configuration.requestTimeout = 5
            configuration.maxAttempts = 1
            let client = try RegistryClient(configuration)
            defer { Task { await client.shutdown() } }
            // Warm up (a loaded machine can make the very first answer slow): one connection, open.
            while (try? await client.ping()) == nil { try await Task.sleep(for: .milliseconds(100)) }
            let opened = client.connectionCount
            proxy.change(to: stall)
            let started = ContinuousClock.now
            let error = await #expect(throws: RegistryAPIError.self) { try await client.ping() }
            #expect(error == .timeout(registry: "127.0.0.1:\(proxy.port)", what: "/v2/", attempts: 1))
            #expect(ContinuousClock.now - started < .seconds(20), "the deadline, not the stalled answer, ended it")
            proxy.change(to: .none)
            try await client.ping()
            #expect(client.connectionCount == opened + 1)
        }
    }
}
