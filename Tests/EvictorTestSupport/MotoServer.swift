import AsyncHTTPClient
import Foundation
import Synchronization

/// A local S3 endpoint: moto's server mode (`moto_server` from PyPI, installed by
/// scripts/setup) on a free 127.0.0.1 port. Started by the test, stopped by PID. It accepts
/// any credentials and signs nothing back; its state lives in memory and dies with it.
public final class MotoServer: Sendable {
    public let port: Int
    public let logFile: URL
    private let process = Mutex<Process?>(nil)

    /// Credentials the tests sign with (moto accepts any).
    public static let accessKey = "AKIAEVICTORTEST"
    public static let secretKey = "evictor-moto-secret-key"
    public static let region = "us-east-1"

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    /// The process id while running.
    public var pid: Int32? { process.withLock { $0?.processIdentifier } }

    private init(port: Int, logFile: URL) {
        self.port = port
        self.logFile = logFile
    }

    /// Starts moto and waits until it answers.
    public static func start() async throws -> MotoServer {
        guard let executable = ProcessRunner.which("moto_server") else {
            throw TestSupportError("moto_server not found: run scripts/setup (pip install 'moto[server]')")
        }
        var lastError: Error = TestSupportError("moto did not start")
        for _ in 0..<3 {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-moto-\(UUID().uuidString).log")
            let server = MotoServer(port: try FreePort.next(), logFile: log)
            do {
                try await server.launch(executable)
                return server
            } catch {
                lastError = error
                server.stop()
            }
        }
        throw lastError
    }

    /// Starts moto, runs `body`, and always stops it afterwards.
    public static func with<Result>(_ body: (MotoServer) async throws -> Result) async throws -> Result {
        let server = try await start()
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    /// Stops the process by PID (SIGTERM, then SIGKILL) and removes its log.
    public func stop() {
        if let running = process.withLock({ current -> Process? in
            defer { current = nil }
            return current
        }), running.isRunning {
            kill(running.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while running.isRunning && Date() < deadline { usleep(20_000) }
            if running.isRunning {
                kill(running.processIdentifier, SIGKILL)
                running.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(at: logFile)
    }

    private func launch(_ executable: String) async throws {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        let child = Process()
        // At low priority (nice execs it: the PID stays moto's): a Python server busy with a
        // bucket must not starve the timing-sensitive fault tests running beside it.
        child.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
        child.arguments = ["-n", "10", executable, "-H", "127.0.0.1", "-p", String(port)]
        child.standardOutput = log
        child.standardError = log
        child.standardInput = FileHandle.nullDevice
        try child.run()
        process.withLock { $0 = child }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !child.isRunning { throw TestSupportError("moto_server exited: \(logTail())") }
            var request = HTTPClientRequest(url: "\(endpoint)/moto-api/")
            request.method = .GET
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)) {
                let body = (try? await response.body.collect(upTo: 4 << 20)).map { String(buffer: $0) } ?? ""
                // Moto's own dashboard, from our own process: another test's server that took
                // the port first answers too (a 404), and moto then exits on "address in use".
                if response.status == .ok, body.lowercased().contains("moto"), child.isRunning { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSupportError("moto_server did not answer on \(endpoint): \(logTail())")
    }

    private func logTail() -> String {
        String(((try? String(contentsOf: logFile, encoding: .utf8)) ?? "").suffix(1_000))
    }
}
