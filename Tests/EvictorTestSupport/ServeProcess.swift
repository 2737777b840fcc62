import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// `evictor serve` (or any evictor command that prints `listening on http://...` on stderr) as a
/// real process: started with its arguments and an environment overlay, ready once that line
/// is there, stopped by its PID. Output goes to files, so no pipe can fill.
public final class ServeProcess: Sendable {
    /// The base URL from the `listening on` line, e.g. `http://127.0.0.1:41234` (no trailing slash).
    public let url: String
    /// The process id (until `stop` returns).
    public let pid: Int32
    private let process: Process
    private let scratch: URL
    private let stopped = Mutex<Int32?>(nil)

    private init(url: String, process: Process, scratch: URL) {
        self.url = url
        self.pid = process.processIdentifier
        self.process = process
        self.scratch = scratch
    }

    /// Everything it wrote on stderr so far.
    public var stderrText: String { (try? String(contentsOf: scratch.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// Everything it wrote on stdout so far.
    public var stdoutText: String { (try? String(contentsOf: scratch.appendingPathComponent("stdout"), encoding: .utf8)) ?? "" }

    /// Whether the process still runs.
    public var isRunning: Bool { process.isRunning }

    /// Starts the evictor binary with `arguments` (e.g. `["serve", "--config", F, "--listen", "127.0.0.1:0"]`)
    /// and `environment` laid over the test's own, and waits until stderr says `listening on URL`.
    /// Throws with its stderr when it exits first or says nothing within `timeout`.
    public static func start(arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws
        -> ServeProcess
    {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try EvictorBinary.path)
        process.arguments = arguments
        process.environment = merged
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            if let url = listeningURL(in: text) { return ServeProcess(url: url, process: process, scratch: scratch) }
            if !process.isRunning {
                process.waitUntilExit()
                try? FileManager.default.removeItem(at: scratch)
                throw TestSupportError("evictor \(arguments.joined(separator: " ")) exited \(process.terminationStatus) before listening: \(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: scratch)
        throw TestSupportError("evictor \(arguments.joined(separator: " ")) did not say `listening on` within \(timeout): \(text)")
    }

    /// The URL of the first complete line saying `listening on http(s)://...` in `text`
    /// (trailing punctuation dropped). Another line that says `listening on HOST:PORT` without
    /// a scheme (as Hummingbird's info log does) is passed over, not taken as "no URL".
    static func listeningURL(in text: String) -> String? {
        // The last piece has no newline yet: its port may not be fully written.
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard let range = line.range(of: "listening on http://") ?? line.range(of: "listening on https://") else { continue }
            var url = String(line[range.lowerBound...].dropFirst("listening on ".count).prefix { !$0.isWhitespace })
            while let last = url.last, ",;.)/".contains(last) { url.removeLast() }
            return url
        }
        return nil
    }

    /// Sends `signal` to the process by its PID and waits for it to exit (SIGKILL after
    /// `timeout`); returns its status: the exit code, or the signal's number when a signal
    /// ended it. A second call returns the first one's status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async -> Int32 {
        if let status = stopped.withLock({ $0 }) { return status }
        if process.isRunning { kill(pid, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
        let status = process.terminationStatus
        stopped.withLock { $0 = status }
        return status
    }

    /// Whether a signal (not an exit) ended it; valid after `stop`.
    public var endedBySignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    /// `GET`s (or `method`s) `path` on the server, with `Authorization: Bearer TOKEN` when a token
    /// is given; returns the status, the body and the headers.
    public func request(
        _ path: String, method: String = "GET", token: String? = nil, body: Data? = nil, timeout: Duration = .seconds(30)
    ) async throws -> (status: Int, body: String, headers: [String: String]) {
        var request = HTTPClientRequest(url: url + path)
        request.method = .init(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/vnd.docker.distribution.events.v1+json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        let body = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        // A repeated header (two WWW-Authenticate challenges) reads as one, its values joined.
        for header in response.headers {
            let name = header.name.lowercased()
            headers[name] = headers[name].map { "\($0), \(header.value)" } ?? header.value
        }
        return (Int(response.status.code), String(buffer: body), headers)
    }

    deinit {
        // A test that failed before stopping it leaves no server behind.
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: scratch)
    }
}
