import Synchronization

/// Stops a client from retrying a registry that has stopped answering altogether. Every
/// request gets its retries; but once `threshold` requests in a row have given up after all
/// of them, with no answer at all in between, the registry is taken to be down and every
/// later request fails at once with that reason, instead of each spending its own retries
/// (minutes over a large registry). Any answer resets the count.
final class FailureBreaker: Sendable {
    private struct State {
        var givenUp = 0
        var tripped: RegistryAPIError?
    }

    let threshold: Int
    private let state = Mutex(State())

    init(threshold: Int) {
        self.threshold = max(1, threshold)
    }

    /// The error every request now fails with, once tripped.
    var tripped: RegistryAPIError? { state.withLock { $0.tripped } }

    /// The registry answered (whatever the status).
    func answered() {
        state.withLock { if $0.tripped == nil { $0.givenUp = 0 } }
    }

    /// A request gave up after all its attempts with `error`.
    func gaveUp(_ error: RegistryAPIError, registry: String) {
        state.withLock { state in
            guard state.tripped == nil else { return }
            state.givenUp += 1
            if state.givenUp >= threshold {
                state.tripped = .registryDown(registry: registry, requests: state.givenUp, last: error.description)
            }
        }
    }
}
