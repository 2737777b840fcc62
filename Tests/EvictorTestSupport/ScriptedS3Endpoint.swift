import Foundation
import NIOHTTP1
import Synchronization

/// A stand-in S3 endpoint on 127.0.0.1 that answers with scripted faults first: request N gets
/// `faults[N]` (a status and, when given, an S3 error document with that `Code`, as AWS sends
/// `503 SlowDown`), and every request after them `200` with `body`. Checks no signature.
public final class ScriptedS3Endpoint: Sendable {
    /// One scripted answer.
    public struct Fault: Sendable {
        public var status: Int
        public var code: String?

        public init(_ status: Int, code: String? = nil) {
            self.status = status
            self.code = code
        }
    }

    private final class Log: Sendable {
        let entries = Mutex<[String]>([])
    }

    private let server: LocalHTTPServer
    private let seen: Log

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(server.port)" }
    /// `METHOD PATH` of every request answered so far, in order.
    public var requests: [String] { seen.entries.withLock { $0 } }

    private init(server: LocalHTTPServer, seen: Log) {
        self.server = server
        self.seen = seen
    }

    /// Starts answering.
    public static func start(faults: [Fault], body: [UInt8]) async throws -> ScriptedS3Endpoint {
        let seen = Log()
        let server = try await LocalHTTPServer.start { request in
            let number = seen.entries.withLock { all in
                all.append("\(request.method.rawValue) \(request.path)")
                return all.count - 1
            }
            guard number < faults.count else {
                return LocalHTTPResponse(status: .ok, headers: [("Content-Type", "application/octet-stream")], body: Data(body))
            }
            let fault = faults[number]
            let document = fault.code.map {
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\($0)</Code><Message>scripted</Message></Error>"
            }
            return LocalHTTPResponse(
                status: HTTPResponseStatus(statusCode: fault.status), headers: [("Content-Type", "application/xml")],
                body: Data((document ?? "").utf8))
        }
        return ScriptedS3Endpoint(server: server, seen: seen)
    }

    /// Stops answering and closes open connections.
    public func stop() async throws {
        try await server.stop()
    }
}
