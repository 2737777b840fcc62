import AsyncHTTPClient
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
    /// `NIOTooManyBytesError`), all within `seconds`: the deadline covers the body too, so a
    /// server dripping a byte at a time cannot hold a request forever. Past the deadline this
    /// throws `HTTPClientError.deadlineExceeded`; cancelling the calling task cancels the
    /// request (and closes its connection).
    ///
    /// The body is collected on the event loop by a delegate and the caller resumes once, when
    /// the response is complete: no response-body stream, no task to read it, one timer (the
    /// client's deadline, cancelled on completion) per request.
    func executeWhole(_ request: HTTPClient.Request, within seconds: Double, limit: Int) async throws -> WholeResponse {
        let deadline = NIODeadline.now() + .milliseconds(Int64(seconds * 1000))
        let task = execute(request: request, delegate: WholeResponseCollector(limit: limit), deadline: deadline)
        return try await withTaskCancellationHandler {
            try await task.futureResult.get()
        } onCancel: {
            task.cancel()
        }
    }
}

/// The client finished a request without a response head (it never does; a guard, not a crash).
struct NoResponseHead: Error {}

/// Collects a response's head and body (at most `limit` bytes) as the client delivers them.
final class WholeResponseCollector: HTTPClientResponseDelegate {
    typealias Response = WholeResponse

    private let limit: Int
    private let state = NIOLockedValueBox<(head: HTTPResponseHead?, body: ByteBuffer?)>((nil, nil))

    init(limit: Int) {
        self.limit = limit
    }

    func didReceiveHead(task: HTTPClient.Task<WholeResponse>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLockedValue { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<WholeResponse>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = state.withLockedValue { state -> Bool in
            guard var body = state.body else {
                guard buffer.readableBytes <= limit else { return false }
                state.body = buffer
                return true
            }
            guard body.readableBytes + buffer.readableBytes <= limit else { return false }
            state.body = nil  // no second reference while appending: no copy
            var part = buffer
            body.writeBuffer(&part)
            state.body = body
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture() : task.eventLoop.makeFailedFuture(NIOTooManyBytesError(maxBytes: limit))
    }

    func didFinishRequest(task: HTTPClient.Task<WholeResponse>) throws -> WholeResponse {
        let (head, body) = state.withLockedValue { ($0.head, $0.body) }
        guard let head else { throw NoResponseHead() }
        return WholeResponse(status: head.status, headers: head.headers, body: body ?? ByteBuffer())
    }
}
