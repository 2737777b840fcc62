import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Keep-alive HTTP/1.1 connections to one registry's origin, for the requests whose whole
/// answer `RegistryClient.send` reads (manifests, tag lists, the catalog, blob HEADs, deletes,
/// small uploads): a connection carries one request at a time, answers are collected by
/// `HTTP1ExchangeHandler` on the registry event loop, and idle connections wait for the next.
///
/// Why not async-http-client for these: its per-request machinery (request validation and URL
/// parsing, the pool's state machines, the request bag, the delegate's callbacks) cost about
/// twice the CPU of this path for the same requests, and on a machine the registry shares
/// every cycle of the client is one the registry does not get. Everything else (token
/// requests, redirects, streamed blobs) still goes through async-http-client.
///
/// The caller bounds concurrency (`RequestLimiter`): the pool opens a connection whenever none
/// is idle and keeps at most `keepIdle` of them.
final class HTTP1ConnectionPool: Sendable {
    /// `scheme://host[:port]` of the origin, as URLs that may use the pool start.
    let origin: String
    private let host: String
    private let port: Int
    private let hostHeader: String
    private let tls: NIOSSLContext?
    private let serverHostname: String?
    private let group: any EventLoopGroup
    private let connectTimeout: TimeAmount
    private let keepIdle: Int
    private let state = Mutex<(idle: [any Channel], closed: Bool)>(([], false))
    private let opened = Atomic<Int>(0)

    /// Connections opened so far (each TCP connect that succeeded).
    var connectionsOpened: Int { opened.load(ordering: .relaxed) }

    init(endpoint: RegistryEndpoint, tls: TLSConfiguration?, group: any EventLoopGroup, connectTimeout: TimeAmount, keepIdle: Int) throws {
        origin = endpoint.baseURL
        host = endpoint.host
        port = endpoint.port ?? (endpoint.scheme == "https" ? 443 : 80)
        hostHeader = endpoint.hostPort
        self.tls = try tls.map { try NIOSSLContext(configuration: $0) }
        // SNI and certificate names are host names; an IP address is checked against the
        // certificate's IP entries instead (NIOSSL does so when no host name is given).
        serverHostname = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) == nil ? endpoint.host : nil
        self.group = group
        self.connectTimeout = connectTimeout
        self.keepIdle = max(1, keepIdle)
    }

    /// The request target for `url` when it is on this origin (`/v2/...`), else nil.
    func target(of url: String) -> String? {
        guard url.hasPrefix(origin) else { return nil }
        let rest = url.dropFirst(origin.count)
        return rest.hasPrefix("/") ? String(rest) : nil
    }

    /// Sends one request and reads its whole answer (at most `limit` bytes of body, else
    /// `NIOTooManyBytesError`) by `deadline` (else `HTTPClientError.deadlineExceeded`). A
    /// connection that fails in any way is closed; cancelling the task closes its connection
    /// and throws `CancellationError`.
    func execute(
        _ method: HTTPMethod, target: String, headers: HTTPHeaders, body: [UInt8]?, deadline: NIODeadline, limit: Int
    ) async throws -> WholeResponse {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: target, headers: headers)
        head.headers.replaceOrAdd(name: "Host", value: hostHeader)
        if let body {
            head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        } else if method == .POST || method == .PUT || method == .PATCH {
            head.headers.replaceOrAdd(name: "Content-Length", value: "0")
        }
        let channel = try await checkOut(deadline: deadline)
        let promise = channel.eventLoop.makePromise(of: HTTP1Answer.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenFailure { promise.fail($0) }
        let exchange = HTTP1Exchange(
            head: head, body: body.map { ByteBuffer(bytes: $0) }, limit: limit, deadline: deadline, promise: promise)
        do {
            let answer = try await withTaskCancellationHandler {
                channel.writeAndFlush(exchange, promise: written)
                return try await promise.futureResult.get()
            } onCancel: {
                channel.close(promise: nil)
            }
            checkIn(channel, reusable: answer.keepAlive)
            return answer.response
        } catch {
            channel.close(promise: nil)
            if Task.isCancelled { throw CancellationError() }
            if error is HTTP1ClosedBeforeAnswer || error is ChannelError { throw HTTPClientError.remoteConnectionClosed }
            throw error
        }
    }

    /// Closes the idle connections; connections in use close when their request ends.
    func shutdown() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for channel in idle { channel.close(promise: nil) }
    }

    /// An idle connection that is still open, or a new one.
    private func checkOut(deadline: NIODeadline) async throws -> any Channel {
        while let channel = state.withLock({ $0.idle.popLast() }) {
            // The server closing an idle connection is seen at once on the event loop.
            if channel.isActive { return channel }
            channel.close(promise: nil)
        }
        return try await connect(deadline: deadline)
    }

    private func checkIn(_ channel: any Channel, reusable: Bool) {
        let kept =
            reusable && channel.isActive
            && state.withLock { state in
                guard !state.closed, state.idle.count < keepIdle else { return false }
                state.idle.append(channel)
                return true
            }
        if !kept { channel.close(promise: nil) }
    }

    /// A new connection, its TLS handshake done (both within the connect timeout).
    private func connect(deadline: NIODeadline) async throws -> any Channel {
        let tls = tls
        let serverHostname = serverHostname
        let loop = group.next()
        let connectDeadline = min(NIODeadline.now() + connectTimeout, deadline)
        let handshake = tls == nil ? nil : loop.makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(max(.milliseconds(1), connectDeadline - .now()))
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname)) }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(HTTP1ExchangeHandler(handshake: handshake))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
            opened.wrappingAdd(1, ordering: .relaxed)
        } catch ChannelError.connectTimeout {
            handshake?.fail(HTTPClientError.connectTimeout)
            throw HTTPClientError.connectTimeout
        } catch {
            handshake?.fail(error)
            throw error
        }
        guard let handshake else { return channel }
        let timer = loop.scheduleTask(deadline: connectDeadline) { handshake.fail(HTTPClientError.connectTimeout) }
        defer { timer.cancel() }
        do {
            try await handshake.futureResult.get()
            return channel
        } catch {
            channel.close(promise: nil)
            throw error is HTTP1ClosedBeforeAnswer ? HTTPClientError.remoteConnectionClosed : error
        }
    }
}
