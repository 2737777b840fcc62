import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOTLS

/// One request for an `HTTP1ExchangeHandler`: what to send, how much of an answer to accept,
/// until when, and where the whole answer goes.
struct HTTP1Exchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    /// The largest body accepted; a longer one fails with `NIOTooManyBytesError`.
    var limit: Int
    /// Past it the exchange fails with `HTTPClientError.deadlineExceeded` and the connection closes.
    var deadline: NIODeadline
    var promise: EventLoopPromise<HTTP1Answer>
}

/// A whole answer and whether its connection may carry another request.
struct HTTP1Answer: Sendable {
    var response: WholeResponse
    var keepAlive: Bool
}

/// The connection closed before any byte of the answer arrived (the server dropped the request,
/// or an idle keep-alive connection it had closed was used).
struct HTTP1ClosedBeforeAnswer: Error {}

/// The last handler of an HTTP/1.1 client connection (after NIO's request encoder and response
/// decoder): sends one `HTTP1Exchange` at a time and completes its promise with the whole
/// answer, or fails it: body over the limit, deadline passed, connection closed or broken. A
/// failed exchange closes the connection, so a late answer can never be taken for the next
/// request's.
final class HTTP1ExchangeHandler: ChannelDuplexHandler {
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = HTTPClientRequestPart
    typealias InboundIn = HTTPClientResponsePart

    /// Completed when a TLS connection's handshake is done (failed if it fails or the
    /// connection closes first), so that its error is the connection's, not a request's.
    private var handshake: EventLoopPromise<Void>?
    private var current: HTTP1Exchange?
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var answered = false
    private var timer: Scheduled<Void>?

    init(handshake: EventLoopPromise<Void>?) {
        self.handshake = handshake
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            handshake?.succeed()
            handshake = nil
        }
        context.fireUserInboundEventTriggered(event)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard current == nil else {
            // The pool hands a connection to one request at a time; a second one is a bug there.
            exchange.promise.fail(HTTP1ClosedBeforeAnswer())
            promise?.fail(HTTP1ClosedBeforeAnswer())
            return
        }
        current = exchange
        head = nil
        body = nil
        answered = false
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: exchange.deadline) {
            self.finish(.failure(HTTPClientError.deadlineExceeded), closing: context)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        answered = true
        guard let exchange = current else { return }
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
        case .body(var part):
            let received = body?.readableBytes ?? 0
            guard received + part.readableBytes <= exchange.limit else {
                finish(.failure(NIOTooManyBytesError(maxBytes: exchange.limit)), closing: context)
                return
            }
            if body == nil {
                body = part
            } else {
                body?.writeBuffer(&part)
            }
        case .end:
            guard let head else {
                finish(.failure(HTTPClientError.remoteConnectionClosed), closing: context)
                return
            }
            let answer = HTTP1Answer(
                response: WholeResponse(status: head.status, headers: head.headers, body: body ?? ByteBuffer()), keepAlive: head.isKeepAlive)
            finish(.success(answer), closing: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // After an answer's head, a parse error is an answer cut short (the decoder reports the
        // connection closing mid-body so); before it, the answer is not HTTP.
        let cutShort = head != nil && error is HTTPParserError
        handshake?.fail(error)
        handshake = nil
        finish(.failure(cutShort ? HTTPClientError.remoteConnectionClosed : error), closing: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake?.fail(HTTP1ClosedBeforeAnswer())
        handshake = nil
        finish(.failure(answered ? HTTPClientError.remoteConnectionClosed : HTTP1ClosedBeforeAnswer()), closing: nil)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        handshake?.fail(HTTP1ClosedBeforeAnswer())
        handshake = nil
        finish(.failure(HTTP1ClosedBeforeAnswer()), closing: nil)
    }

    /// Completes the current exchange (at most once) and, for a failure, closes the connection.
    private func finish(_ result: Result<HTTP1Answer, Error>, closing context: ChannelHandlerContext?) {
        guard let exchange = current else { return }
        current = nil
        head = nil
        body = nil
        timer?.cancel()
        timer = nil
        exchange.promise.completeWith(result)
        context?.close(promise: nil)
    }
}
