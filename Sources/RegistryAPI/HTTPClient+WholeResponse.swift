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
    /// Executes a request and collects its whole body (at most `limit` bytes, else
    /// `NIOTooManyBytesError`), all within `seconds`: AHC's deadline covers the body too (a
    /// server dripping a byte at a time fails with `deadlineExceeded`), with no task group or
    /// timer task per request. Cancelling the calling task cancels the request.
    func executeWhole(
        url: String, method: HTTPMethod, headers: HTTPHeaders, body: [UInt8]?, within seconds: Double, limit: Int
    ) async throws -> WholeResponse {
        let request = try HTTPClient.Request(url: url, method: method, headers: headers, body: body.map { .bytes($0) })
        let task = execute(
            request: request, delegate: ResponseAccumulator(request: request, maxBodySize: limit),
            deadline: .now() + .milliseconds(Int64(seconds * 1000)))
        let response: HTTPClient.Response
        do {
            response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch is ResponseAccumulator.ResponseTooBigError {
            throw NIOTooManyBytesError(maxBytes: limit)
        }
        return WholeResponse(status: response.status, headers: response.headers, body: response.body ?? ByteBuffer())
    }
}
