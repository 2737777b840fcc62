import AsyncHTTPClient
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
    func executeWhole(_ request: HTTPClientRequest, within seconds: Double, limit: Int) async throws -> WholeResponse {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let response = try await execute(request, timeout: .milliseconds(Int64(seconds * 1000)))
        let body = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await response.body.collect(upTo: limit) }
            group.addTask {
                // Qualified: HTTPClient has a `Task` type of its own.
                try await _Concurrency.Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else { throw HTTPClientError.deadlineExceeded }
            return body
        }
        return WholeResponse(status: response.status, headers: response.headers, body: body)
    }
}
