import AsyncHTTPClient
import EvictorCore
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// A response read to its end: status, headers and the whole (size-capped) body.
struct WholeResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
}

extension HTTPClient {
    /// Executes `request` and reads its whole body (at most `limit` bytes, else
    /// `NIOTooManyBytesError`), all within `seconds`. The client's own deadline stops at the
    /// response head, and its read timeout only at silence: a server dripping a byte at a
    /// time would otherwise hold a request forever. Past the deadline this throws
    /// `HTTPClientError.deadlineExceeded`; cancelling the read closes the connection.
    ///
    /// The deadline is one timer on the client's event loop, cancelled when the body is in
    /// (a sleeping task per request would stay in the timer heap until its deadline passed:
    /// at thousands of requests a second, tens of thousands of live timers).
    func executeWhole(_ request: HTTPClientRequest, within seconds: Double, limit: Int) async throws -> WholeResponse {
        let deadline = NIODeadline.now() + .milliseconds(Int64(seconds * 1000))
        let response = try await execute(request, deadline: deadline)
        let reading = _Concurrency.Task(executorPreference: InheritedExecutor.preferred) { try await response.body.collect(upTo: limit) }
        let expired = NIOLockedValueBox(false)
        let timer = eventLoopGroup.any().scheduleTask(deadline: deadline) {
            expired.withLockedValue { $0 = true }
            reading.cancel()
        }
        defer { timer.cancel() }
        do {
            let body = try await withTaskCancellationHandler {
                try await reading.value
            } onCancel: {
                reading.cancel()
            }
            return WholeResponse(status: response.status, headers: response.headers, body: body)
        } catch {
            if expired.withLockedValue({ $0 }) { throw HTTPClientError.deadlineExceeded }
            throw error
        }
    }
}
