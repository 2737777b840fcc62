@testable import RegistryAPI
import Testing

@Suite("failure breaker")
struct FailureBreakerTests {
    static let failure = RegistryAPIError.serverError(registry: "r:5000", what: "manifest a:b", status: 502, attempts: 5)

    @Test("trips after the threshold of give-ups in a row; any answer in between starts the count again")
    func trips() {
        let breaker = FailureBreaker(threshold: 3)
        breaker.gaveUp(Self.failure, registry: "r:5000")
        breaker.gaveUp(Self.failure, registry: "r:5000")
        breaker.answered()
        breaker.gaveUp(Self.failure, registry: "r:5000")
        breaker.gaveUp(Self.failure, registry: "r:5000")
        #expect(breaker.tripped == nil)
        breaker.gaveUp(Self.failure, registry: "r:5000")
        #expect(breaker.tripped == .registryDown(registry: "r:5000", requests: 3, last: Self.failure.description))
        #expect(
            breaker.tripped?.description
                == "registry r:5000: giving up: 3 requests in a row failed after every retry (last: manifest a:b: HTTP 502 after 5 attempts)")
        // Tripped stays tripped: a late answer from a request in flight does not revive it.
        breaker.answered()
        #expect(breaker.tripped != nil)
    }
}
