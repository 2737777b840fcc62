/// Bounds requests to one registry: at most `concurrency` in flight, and optionally at most
/// `requestsPerSecond` started. Waiters are served first come, first served.
actor RequestLimiter {
    private let concurrency: Int
    private let interval: Duration?
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextStart: ContinuousClock.Instant = .now

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
        if inFlight < concurrency {
            inFlight += 1
        } else {
            await withCheckedContinuation { waiters.append($0) }
        }
        if let interval {
            let now = ContinuousClock.now
            let start = max(now, nextStart)
            nextStart = start + interval
            if start > now { try? await Task.sleep(until: start, clock: .continuous) }
        }
    }

    /// Gives the slot to the next waiter, or frees it.
    func release() {
        if waiters.isEmpty {
            inFlight -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
