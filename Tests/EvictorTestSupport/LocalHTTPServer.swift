import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One request as a `LocalHTTPServer` responder sees it (the body is read and dropped).
struct LocalHTTPRequest: Sendable {
    var method: HTTPMethod
    /// The request target as sent: path and query.
    var uri: String
    var headers: HTTPHeaders

    /// The path without the query.
    var path: String {
        uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    }
}

/// One answer: status, extra headers and body (`Content-Type` defaults to `application/json`).
struct LocalHTTPResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: [(String, String)] = []
    var body: Data
}

/// A minimal HTTP/1.1 server on 127.0.0.1 (free port, NIO) that hands every request to a
/// synchronous responder, honours keep-alive and closes open connections on `stop()`.
final class LocalHTTPServer: Sendable {
    /// The port it listens on.
    var port: Int { listener.port }
    private let listener: LoopbackListener

    private init(listener: LoopbackListener) {
        self.listener = listener
    }

    /// Binds 127.0.0.1 on a free port; `respond` runs on an event loop, so it must not block for long.
    static func start(respond: @escaping @Sendable (LocalHTTPRequest) -> LocalHTTPResponse) async throws -> LocalHTTPServer {
        let listener = try await LoopbackListener.bind { LocalHTTPHandler(respond: respond) }
        return LocalHTTPServer(listener: listener)
    }

    /// Stops accepting connections and closes the open ones; stopping twice is harmless.
    func stop() async throws {
        try await listener.close()
    }
}

/// One connection's handler: collects a request, asks the responder, writes the answer.
final class LocalHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: @Sendable (LocalHTTPRequest) -> LocalHTTPResponse
    private var head: HTTPRequestHead?

    init(respond: @escaping @Sendable (LocalHTTPRequest) -> LocalHTTPResponse) {
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            let response = respond(LocalHTTPRequest(method: request.method, uri: request.uri, headers: request.headers))
            send(response, request: request, context: context)
        }
    }

    private func send(_ response: LocalHTTPResponse, request: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = request.isKeepAlive
        var headers = HTTPHeaders()
        if !response.headers.contains(where: { $0.0.lowercased() == "content-type" }) {
            headers.add(name: "Content-Type", value: "application/json")
        }
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: response.status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
