import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Failures of test-support helpers, with the command's own words.
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs commands to completion (output captured through temporary files, so no pipe can fill).
public enum ProcessRunner {
    /// Finds an executable on PATH.
    public static func which(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments`; stdin is `input` (or empty). Kills it after `timeout`.
    /// `started` gets the process id as soon as it runs (to signal it from elsewhere).
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: Data? = nil,
        timeout: Duration = .seconds(120),
        currentDirectory: URL? = nil,
        started: (@Sendable (Int32) -> Void)? = nil
    ) async throws -> ProcessResult {
        guard let path = which(executable) else { throw TestSupportError("\(executable): not found on PATH") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: input ?? Data())

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle

        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in
                continuation.resume(returning: finished.terminationStatus)
            }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: TestSupportError("\(executable): cannot start: \(error)"))
                return
            }
            // The kill is timed on a dispatch queue, not a task: under a busy test run the
            // cooperative pool may resume a sleeping task seconds late, and tests that kill a
            // process at a chosen moment rely on this.
            let pid = process.processIdentifier
            started?(pid)
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = Int(min(seconds, Int64(Int.max / 1_000_000_000 - 1))) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        try? outHandle.close()
        try? errHandle.close()
        try? inHandle.close()
        return ProcessResult(
            status: status,
            stdout: (try? Data(contentsOf: outURL)) ?? Data(),
            stderr: (try? Data(contentsOf: errURL)) ?? Data()
        )
    }

    /// Runs and throws unless the exit status is 0.
    @discardableResult
    public static func check(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        input: Data? = nil, timeout: Duration = .seconds(120)
    ) async throws -> ProcessResult {
        let result = try await run(executable, arguments, environment: environment, input: input, timeout: timeout)
        guard result.status == 0 else {
            throw TestSupportError("\(executable) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderrText)")
        }
        return result
    }
}
