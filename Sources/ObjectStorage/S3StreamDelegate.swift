import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// Receives a GET's answer part by part: a 200's body goes to the sink as it arrives (never
/// whole in memory: blobs can be gigabytes); any other answer is kept (an error document).
final class S3StreamDelegate: HTTPClientResponseDelegate {
    typealias Response = S3Client.Response

    private let sink: S3FileSink
    private let state = Mutex(S3Client.Response(status: 0, headers: [:], body: []))
    /// The most of an error answer kept (its XML code is near the start).
    private static let errorLimit = 64 << 10

    init(sink: S3FileSink) {
        self.sink = sink
    }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock {
            $0.status = Int(head.status.code)
            $0.headers = head.headers
        }
        return task.eventLoop.makeSucceededFuture(())
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let streamed = state.withLock { response -> Bool in
            guard response.status != 200 else { return true }
            if response.body.count < Self.errorLimit { response.body += buffer.readableBytesView.prefix(Self.errorLimit - response.body.count) }
            return false
        }
        guard streamed else { return task.eventLoop.makeSucceededFuture(()) }
        do { try sink.write(buffer) } catch { return task.eventLoop.makeFailedFuture(error) }
        return task.eventLoop.makeSucceededFuture(())
    }

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        state.withLock { $0 }
    }
}
