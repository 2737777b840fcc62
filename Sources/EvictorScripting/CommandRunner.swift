import EvictorCore
import Foundation

/// Runs a program with an argv (no shell), a timeout and captured output, for `host.run`.
enum CommandRunner {
    struct Outcome {
        var code: Int32
        var stdout: Data
        var stderr: Data
        var timedOut: Bool
    }

    static let outputLimit = 256 << 20

    static func run(_ argv: [String], stdin: Data?, environment: [String: String]?, timeout: Double) throws -> Outcome {
        guard let program = argv.first else { throw CommandFailure("empty argv") }
        guard let path = ExecutableSearch.find(program) else { throw CommandFailure("\(program): not found on PATH") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(argv.dropFirst())
        if let environment { process.environment = environment }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do { try process.run() } catch { throw CommandFailure("\(program): cannot start: \(error.localizedDescription)") }
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        try? outHandle.close()
        try? errHandle.close()
        try? inHandle.close()
        let stdout = (try? Data(contentsOf: outURL)) ?? Data()
        let stderr = (try? Data(contentsOf: errURL)) ?? Data()
        guard stdout.count <= outputLimit else { throw CommandFailure("\(program): output larger than \(outputLimit) bytes") }
        return Outcome(code: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
