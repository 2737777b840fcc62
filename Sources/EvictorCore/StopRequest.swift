import Synchronization

/// A request to stop taking new work, set when SIGINT or SIGTERM arrives. Writers (apply,
/// restore, storage fix and gc) check it between steps: what is in flight finishes and is
/// recorded, nothing new starts, and the run reports how to resume.
public final class StopRequest: Sendable {
    private let signalNumber = Atomic<Int32>(0)

    public init() {}

    /// Records the first request; later ones change nothing.
    public func request(signal: Int32) {
        _ = signalNumber.compareExchange(expected: 0, desired: signal, ordering: .sequentiallyConsistent)
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { signalNumber.load(ordering: .sequentiallyConsistent) != 0 }

    /// The signal that asked to stop, if one did.
    public var signal: Int32? {
        let value = signalNumber.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }
}
