import Synchronization

/// Bounds requests to one registry: at most `concurrency` in flight, and optionally at most
/// `requestsPerSecond` started. Waiters are served first come, first served; a freed slot goes
/// straight to the first of them. A free slot is taken without suspending.
final class RequestLimiter: Sendable {
    private struct State {
        var inFlight = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
        var nextStart: ContinuousClock.Instant = .now
    }

    private let concurrency: Int
    private let interval: Duration?
    private let state = Mutex(State())

    init(concurrency: Int, requestsPerSecond: Double?) {
        self.concurrency = max(1, concurrency)
        if let rate = requestsPerSecond, rate > 0 {
            interval = .nanoseconds(Int64(1_000_000_000 / rate))
        } else {
            interval = nil
        }
    }

    /// Waits for a slot (and for the rate limit), then holds it until `release()`.
    func acquire() async {
        if !takeFreeSlot() {
            await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
                let admitted = state.withLock { state in
                    if state.inFlight < concurrency {
                        state.inFlight += 1
                        return true
                    }
                    state.waiters.append(waiter)
                    return false
                }
                if admitted { waiter.resume() }
            }
        }
        if let interval {
            let start = state.withLock { state in
                let start = max(ContinuousClock.now, state.nextStart)
                state.nextStart = start + interval
                return start
            }
            if start > .now { try? await Task.sleep(until: start, clock: .continuous) }
        }
    }

    /// Gives the slot to the next waiter, or frees it.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.inFlight -= 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }

    private func takeFreeSlot() -> Bool {
        state.withLock { state in
            guard state.inFlight < concurrency else { return false }
            state.inFlight += 1
            return true
        }
    }
}
