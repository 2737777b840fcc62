import Foundation
import Synchronization

/// A free TCP port on 127.0.0.1 for a server a test starts as a separate process (which binds
/// it a moment later). Drawn from 20000-32767, below Linux's ephemeral range: a port the kernel
/// picks for `bind(0)` or for an outgoing connection can be taken by another test's server or
/// client between this check and the server's own bind, and a readiness probe then talks to the
/// wrong server (seen once: moto's bucket PUT answered 404 by a registry). Never the same port
/// twice in one test process.
public enum FreePort {
    private static let handedOut = Mutex<Set<Int>>([])

    public static func next() throws -> Int {
        for _ in 0..<500 {
            let candidate = Int.random(in: 20_000..<32_768)
            guard handedOut.withLock({ $0.insert(candidate).inserted }) else { continue }
            if (try? bind(candidate)) != nil { return candidate }
        }
        return try bind(0)
    }

    /// Binds `port` (0: the kernel's choice) on 127.0.0.1, closes it, and returns the port.
    private static func bind(_ port: Int) throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestSupportError("socket() failed: \(errno)") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestSupportError("bind() failed: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(socketFD, $0, &length)
            }
        }
        guard named == 0 else { throw TestSupportError("getsockname() failed: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A port on 127.0.0.1 that refuses connections and that no other server can take while this
/// value lives (keep it alive with `withExtendedLifetime`): the socket is bound but never listens. A port from `FreePort.next()` left free
/// for a "nothing listens here" test can be taken by another test's server in the meantime.
public final class ClosedPort: Sendable {
    /// The port number.
    public let port: Int
    private let socketFD: Int32

    public init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestSupportError("socket() failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        guard bound == 0, named == 0 else {
            close(socketFD)
            throw TestSupportError("cannot reserve a closed port: \(errno)")
        }
        self.socketFD = socketFD
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(socketFD) }
}
