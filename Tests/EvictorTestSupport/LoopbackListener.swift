import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A listening socket on 127.0.0.1 (free port) whose connections get the HTTP/1.1 server
/// pipeline plus one handler of the caller's; `close()` also closes the open connections.
final class LoopbackListener: Sendable {
    /// The port it listens on.
    let port: Int
    private let serverChannel: Channel
    private let connections: ConnectionTracker

    private init(port: Int, serverChannel: Channel, connections: ConnectionTracker) {
        self.port = port
        self.serverChannel = serverChannel
        self.connections = connections
    }

    /// Binds a free port; `makeHandler` makes the handler of each new connection.
    static func bind(makeHandler: @escaping @Sendable () -> ChannelHandler) async throws -> LoopbackListener {
        let connections = ConnectionTracker()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 64)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try child.pipeline.syncOperations.addHandler(makeHandler())
                    connections.track(child)
                }
            }
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .bind(host: "127.0.0.1", port: 0)
            .get()
        guard let port = channel.localAddress?.port else {
            try? await channel.close()
            throw TestSupportError("loopback listener: no local port after bind")
        }
        return LoopbackListener(port: port, serverChannel: channel, connections: connections)
    }

    /// Stops accepting connections and closes the open ones; closing twice is harmless.
    func close() async throws {
        do {
            try await serverChannel.close()
        } catch ChannelError.alreadyClosed {
            // Closed twice: nothing left to close.
        }
        for child in connections.open() {
            try? await child.close()
        }
    }
}

/// Accepted connections still open, so `stop()` can close them.
final class ConnectionTracker: Sendable {
    private let channels = Mutex<[ObjectIdentifier: Channel]>([:])

    /// Remembers `channel` until it closes.
    func track(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.channels.withLock { $0[id] = nil }
        }
    }

    /// Connections still open.
    func open() -> [Channel] {
        channels.withLock { Array($0.values) }
    }
}
