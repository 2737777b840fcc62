import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The registry's answer to a forwarded request.
struct UpstreamAnswer: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
}

extension FaultProxyCore {
    /// Headers that belong to one connection, not to the request.
    private static let hopByHop: Set<String> = ["connection", "keep-alive", "transfer-encoding", "content-length", "te", "upgrade"]

    /// Sends a request on to the registry (Host kept, so the registry's `Location`s name the proxy).
    /// Forwards with up to three tries for GET and HEAD: the proxy's own path to the registry
    /// (a kept-alive connection the registry closed, a busy machine) is not a fault under test.
    func forward(_ head: HTTPRequestHead, body: ByteBuffer?) async throws -> UpstreamAnswer {
        let tries = head.method == .GET || head.method == .HEAD ? 3 : 1
        for attempt in 1..<tries {
            if let answer = try? await forwardOnce(head, body: body) { return answer }
            try await Task.sleep(for: .milliseconds(50 * attempt))
        }
        return try await forwardOnce(head, body: body)
    }

    private func forwardOnce(_ head: HTTPRequestHead, body: ByteBuffer?) async throws -> UpstreamAnswer {
        var request = HTTPClientRequest(url: upstreamURL + head.uri)
        request.method = head.method
        for (name, value) in head.headers where !Self.hopByHop.contains(name.lowercased()) {
            request.headers.add(name: name, value: value)
        }
        if let body { request.body = .bytes(body) }
        let response = try await upstream.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 512 << 20)
        var headers = response.headers
        for name in Self.hopByHop where name != "content-length" || head.method != .HEAD {
            headers.remove(name: name)
        }
        return UpstreamAnswer(status: response.status, headers: headers, body: collected)
    }
}

/// One proxied connection: collects a request, draws its fault, forwards it (or not) and
/// answers as the fault says.
final class FaultProxyHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: FaultProxyCore
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(core: FaultProxyCore) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
        case .body(var chunk):
            if var collected = body {
                collected.writeBuffer(&chunk)
                body = collected
            } else {
                body = chunk
            }
        case .end:
            guard let request = head else { return }
            let requestBody = body
            head = nil
            body = nil
            handle(request, body: requestBody, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func handle(_ request: HTTPRequestHead, body: ByteBuffer?, context: ChannelHandlerContext) {
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let fault = core.state.withLock { $0.draw(method: request.method, path: path) }
        switch fault {
        case .dropBeforeForwarding:
            context.close(promise: nil)
            return
        case .internalError:
            answer(Self.registryError(.internalServerError, code: "UNKNOWN"), to: request, context: context)
            return
        case .badGateway:
            answer(Self.registryError(.badGateway, code: "UNAVAILABLE"), to: request, context: context)
            return
        case .rateLimited:
            var rejection = Self.registryError(.tooManyRequests, code: "TOOMANYREQUESTS")
            rejection.headers.add(name: "Retry-After", value: "1")
            answer(rejection, to: request, context: context)
            return
        default:
            break
        }
        let core = self.core
        let promise = context.eventLoop.makePromise(of: UpstreamAnswer.self)
        promise.completeWithTask { try await core.forward(request, body: body) }
        promise.futureResult.assumeIsolated().whenComplete { result in
            guard case .success(let upstream) = result else {
                self.answer(Self.registryError(.badGateway, code: "UNAVAILABLE"), to: request, context: context)
                return
            }
            self.deliver(upstream, fault: fault, to: request, context: context)
        }
    }

    /// Applies a fault that comes after forwarding, then answers.
    private func deliver(_ upstream: UpstreamAnswer, fault: InjectedFault?, to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var upstream = upstream
        switch fault {
        case .dropAfterForwarding:
            context.close(promise: nil)
        case .unavailableAfterForwarding:
            answer(Self.registryError(.serviceUnavailable, code: "UNAVAILABLE"), to: request, context: context)
        case .slow, .stall:
            let seconds = fault == .slow ? core.state.withLock { $0.slowDelay() } : core.state.withLock { $0.plan.stallSeconds }
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                self.answer(upstream, to: request, context: context)
            }
        case .truncated:
            answer(upstream, to: request, context: context, truncated: true)
        case .trickle:
            trickle(upstream, to: request, context: context)
        case .wrongDigest:
            if upstream.headers.contains(name: "Docker-Content-Digest") {
                let other = Sha256.digest(Data(UUID().uuidString.utf8))
                upstream.headers.replaceOrAdd(name: "Docker-Content-Digest", value: other)
            }
            answer(upstream, to: request, context: context)
        default:
            answer(upstream, to: request, context: context)
        }
    }

    /// Writes an answer; `truncated` announces the whole body, sends half and closes.
    private func answer(_ upstream: UpstreamAnswer, to request: HTTPRequestHead, context: ChannelHandlerContext, truncated: Bool = false) {
        guard context.channel.isActive else { return }
        let keepAlive = request.isKeepAlive && !truncated
        var headers = upstream.headers
        if request.method != .HEAD {
            headers.replaceOrAdd(name: "Content-Length", value: String(upstream.body.readableBytes))
        }
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: upstream.status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            let body =
                truncated
                ? upstream.body.getSlice(at: upstream.body.readerIndex, length: upstream.body.readableBytes / 2) ?? upstream.body : upstream.body
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if truncated {
            context.flush()
            context.close(promise: nil)
            return
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Writes the head, then the body one byte every 200 ms until it is sent or the client
    /// gives up.
    private func trickle(_ upstream: UpstreamAnswer, to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var headers = upstream.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(upstream.body.readableBytes))
        headers.replaceOrAdd(name: "Connection", value: "close")
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: upstream.status, headers: headers))), promise: nil)
        var remaining = upstream.body
        func drip() {
            guard context.channel.isActive else { return }
            guard let byte = remaining.readSlice(length: 1) else {
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                return
            }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(byte))), promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(200)) { drip() }
        }
        drip()
    }

    /// A registry-style error answer (`{"errors":[...]}`).
    private static func registryError(_ status: HTTPResponseStatus, code: String) -> UpstreamAnswer {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        let text = #"{"errors":[{"code":"\#(code)","message":"fault injected by the test proxy"}]}"#
        return UpstreamAnswer(status: status, headers: headers, body: ByteBuffer(string: text))
    }
}
