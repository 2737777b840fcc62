import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// An HTTP proxy on 127.0.0.1 (free port, SwiftNIO) in front of a real registry that spoils a
/// share of the requests it passes on, as `FaultPlan` says: dropped connections, 5xx, 429 with
/// `Retry-After`, late and truncated answers, a wrong `Docker-Content-Digest`. It counts what
/// it did, so a test can say how many faults a run survived.
public final class FaultProxy: Sendable {
    /// The port it listens on.
    public var port: Int { listener.port }
    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(port)" }
    /// The plan in force.
    public var plan: FaultPlan { core.state.withLock { $0.plan } }

    private let listener: LoopbackListener
    private let core: FaultProxyCore

    private init(listener: LoopbackListener, core: FaultProxyCore) {
        self.listener = listener
        self.core = core
    }

    /// Starts a proxy to the registry at `upstreamPort` on 127.0.0.1.
    public static func start(upstreamPort: Int, plan: FaultPlan) async throws -> FaultProxy {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        let upstream = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let core = FaultProxyCore(upstream: upstream, upstreamURL: "http://127.0.0.1:\(upstreamPort)", plan: plan)
        do {
            let listener = try await LoopbackListener.bind { FaultProxyHandler(core: core) }
            return FaultProxy(listener: listener, core: core)
        } catch {
            try? await upstream.shutdown()
            throw error
        }
    }

    /// Replaces the plan (the draw goes on from the new seed).
    public func change(to plan: FaultPlan) {
        core.state.withLock { $0.reset(plan) }
    }

    /// Requests received so far.
    public var requests: Int { core.state.withLock { $0.requests } }
    /// Faults injected so far, by kind (persistent ones included).
    public var injected: [InjectedFault: Int] { core.state.withLock { $0.injected } }
    /// Requests the persistent rule `key` spoiled so far.
    public func hits(_ key: String) -> Int { core.state.withLock { $0.persistentHits[key] ?? 0 } }
    /// Faults injected so far, all kinds.
    public var injectedTotal: Int { injected.values.reduce(0, +) }

    /// "412 requests, 41 faulted (drop 4, 500 5, ...)".
    public var summary: String {
        let counts = injected.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ")
        return "\(requests) requests, \(injectedTotal) faulted (\(counts))"
    }

    /// Stops listening, closes connections and the upstream client.
    public func stop() async {
        try? await listener.close()
        try? await core.upstream.shutdown()
    }

    /// Starts a proxy, runs `body`, stops the proxy.
    public static func with<Result>(
        upstreamPort: Int, plan: FaultPlan, _ body: (FaultProxy) async throws -> Result
    ) async throws -> Result {
        let proxy = try await start(upstreamPort: upstreamPort, plan: plan)
        do {
            let result = try await body(proxy)
            await proxy.stop()
            return result
        } catch {
            await proxy.stop()
            throw error
        }
    }
}

/// The proxy's mutable state: plan, random draw, counters.
struct FaultProxyState {
    var plan: FaultPlan
    var random: SplitMix64
    var requests = 0
    var injected: [InjectedFault: Int] = [:]
    /// Requests each persistent rule spoiled.
    var persistentHits: [String: Int] = [:]

    init(plan: FaultPlan) {
        self.plan = plan
        self.random = SplitMix64(seed: plan.seed)
    }

    mutating func reset(_ plan: FaultPlan) {
        self.plan = plan
        random = SplitMix64(seed: plan.seed)
    }

    /// The fault for one request, or nil to pass it on untouched.
    mutating func draw(method: HTTPMethod, path: String) -> InjectedFault? {
        requests += 1
        let line = "\(method.rawValue) \(path)"
        // The longest matching key wins, so overlapping rules apply the same way every run.
        let rule = plan.persistent.filter { line.contains($0.key) }.max { ($0.key.count, $0.key) < ($1.key.count, $1.key) }
        if let rule { persistentHits[rule.key, default: 0] += 1 }
        var fault = rule?.value
        if fault == nil, !plan.faults.isEmpty, random.nextUnit() < plan.rate {
            fault = plan.faults[Int(random.next() % UInt64(plan.faults.count))]
        }
        if fault == .wrongDigest, method == .HEAD, !plan.wrongDigestOnHead { fault = nil }
        if fault == .truncated || fault == .trickle, method == .HEAD { fault = .stall }
        if let fault { injected[fault, default: 0] += 1 }
        return fault
    }

    /// A delay for `slow`, 0.1-0.6 s.
    mutating func slowDelay() -> Double { 0.1 + random.nextUnit() / 2 }
}

/// A small, fast, seedable generator (SplitMix64), so a faulted run can be repeated exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in 0..<1.
    public mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// What every connection handler of one proxy shares: the upstream client and the state.
final class FaultProxyCore: Sendable {
    let upstream: HTTPClient
    let upstreamURL: String
    let state: Mutex<FaultProxyState>

    init(upstream: HTTPClient, upstreamURL: String, plan: FaultPlan) {
        self.upstream = upstream
        self.upstreamURL = upstreamURL
        self.state = Mutex(FaultProxyState(plan: plan))
    }
}
