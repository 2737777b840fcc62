import Foundation
import NIOHTTP1
import Synchronization

/// An answer a `ScriptedRegistry` gives.
public struct ScriptedAnswer: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int = 200, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON (or would-be JSON) body with status 200.
    public static func json(_ text: String, headers: [(String, String)] = []) -> ScriptedAnswer {
        ScriptedAnswer(headers: headers, body: Data(text.utf8))
    }

    /// The registry's 404 for an unknown name.
    public static let notFound = ScriptedAnswer(status: 404, body: Data(#"{"errors":[{"code":"NAME_UNKNOWN","message":"not found"}]}"#.utf8))
}

/// A registry impostor on 127.0.0.1 (free port) whose every answer the test scripts: for
/// feeding evictor what a broken or hostile registry might send. `/v2/` answers like
/// Distribution unless the script says otherwise. It records every request it gets.
public final class ScriptedRegistry: Sendable {
    private let server: LocalHTTPServer
    private let log: RequestLog

    private init(server: LocalHTTPServer, log: RequestLog) {
        self.server = server
        self.log = log
    }

    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://127.0.0.1:\(server.port)" }

    /// Every request so far as "METHOD /path?query [Header-Name,...]".
    public var requests: [String] { log.lines.withLock { $0 } }

    /// Starts it; `answer(method, uri)` returns nil for a 404. It runs on an event loop: no blocking.
    public static func start(_ answer: @escaping @Sendable (_ method: String, _ uri: String) -> ScriptedAnswer?) async throws -> ScriptedRegistry {
        let log = RequestLog()
        let server = try await LocalHTTPServer.start { request in
            let headerNames = request.headers.map(\.name).joined(separator: ",")
            log.lines.withLock { $0.append("\(request.method.rawValue) \(request.uri) [\(headerNames)]") }
            var scripted = answer(request.method.rawValue, request.uri)
            if scripted == nil, request.path == "/v2/" { scripted = .json("{}") }
            let chosen = scripted ?? .notFound
            var headers = chosen.headers
            headers.append(("Docker-Distribution-API-Version", "registry/2.0"))
            return LocalHTTPResponse(status: HTTPResponseStatus(statusCode: chosen.status), headers: headers, body: chosen.body)
        }
        return ScriptedRegistry(server: server, log: log)
    }

    /// Stops it.
    public func stop() async {
        try? await server.stop()
    }

    /// Starts one, runs `body`, stops it.
    public static func with<Result>(
        _ answer: @escaping @Sendable (_ method: String, _ uri: String) -> ScriptedAnswer?,
        _ body: (ScriptedRegistry) async throws -> Result
    ) async throws -> Result {
        let registry = try await start(answer)
        do {
            let result = try await body(registry)
            await registry.stop()
            return result
        } catch {
            await registry.stop()
            throw error
        }
    }
}

/// The requests a `ScriptedRegistry` got.
private final class RequestLog: Sendable {
    let lines = Mutex<[String]>([])
}
