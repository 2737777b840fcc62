/// One way a `FaultProxy` can spoil a request.
public enum InjectedFault: String, CaseIterable, Sendable, Comparable {
    /// Closes the connection without answering; the registry never sees the request.
    case dropBeforeForwarding = "drop"
    /// Forwards the request (a DELETE happens), then closes without answering.
    case dropAfterForwarding = "drop-after-forwarding"
    /// HTTP 500 without forwarding.
    case internalError = "500"
    /// HTTP 502 without forwarding.
    case badGateway = "502"
    /// HTTP 503 after forwarding (the registry did the work; the client hears it failed).
    case unavailableAfterForwarding = "503"
    /// HTTP 429 with `Retry-After: 1`, without forwarding.
    case rateLimited = "429"
    /// The registry's answer, late (a fraction of a second).
    case slow
    /// The registry's answer, later than the client's timeout.
    case stall
    /// The registry's status and full `Content-Length`, then half the body and a closed connection.
    case truncated
    /// The registry's answer, its body a byte at a time every 200 ms (a slow-drip attack that
    /// never trips an idle timeout).
    case trickle
    /// The registry's answer with another digest in `Docker-Content-Digest`.
    case wrongDigest = "wrong-digest"

    public static func < (lhs: InjectedFault, rhs: InjectedFault) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Which requests a `FaultProxy` spoils and how.
public struct FaultPlan: Sendable {
    /// Share of requests (0...1) that get a random fault from `faults`.
    public var rate: Double
    /// The faults to draw from.
    public var faults: [InjectedFault]
    /// Seeds the draw, so a run can be repeated.
    public var seed: UInt64
    /// Requests whose "METHOD /path" contains a key always get its fault (a persistent failure):
    /// "/v2/team1/" spoils a repository, "HEAD /v2/team1/app/manifests/v1" one kind of request.
    public var persistent: [String: InjectedFault] = [:]
    /// Whether `wrongDigest` also applies to HEAD answers. No client can verify a HEAD's digest
    /// (there is no body to hash), so only code that confirms a HEAD with a GET survives this.
    public var wrongDigestOnHead = false
    /// How long `stall` holds an answer, in seconds (longer than the client's timeout).
    public var stallSeconds: Double = 3

    public init(rate: Double, faults: [InjectedFault] = InjectedFault.allCases, seed: UInt64) {
        self.rate = rate
        self.faults = faults
        self.seed = seed
    }

    /// No faults: a transparent proxy.
    public static let none = FaultPlan(rate: 0, faults: [], seed: 0)
}
