import Foundation
import Synchronization

/// The `evictor` executable built next to the test bundle.
public enum EvictorBinary {
    /// Path of the built `evictor` binary.
    public static var path: String {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("evictor")
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                    FileManager.default.isExecutableFile(atPath: candidate.path)
                {
                    return candidate.path
                }
                directory.deleteLastPathComponent()
            }
            throw TestSupportError("evictor binary not found near \(CommandLine.arguments[0]); run `swift build` first")
        }
    }

    /// Runs `evictor` under `/usr/bin/time` and also returns its peak resident memory in KiB
    /// (the measurement line is taken off stderr).
    public static func runMeasuringMemory(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> (ProcessResult, peakKiB: Int) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
            throw TestSupportError("/usr/bin/time is missing (Debian package `time`; scripts/setup installs it)")
        }
        var result = try await ProcessRunner.run("/usr/bin/time", ["-f", "evictor-peak-kib %M", try path] + arguments, timeout: timeout)
        var lines = result.stderrText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let index = lines.lastIndex(where: { $0.hasPrefix("evictor-peak-kib ") }), let peak = Int(lines[index].dropFirst(17)) else {
            throw TestSupportError("no peak memory from /usr/bin/time: \(result.stderrText)")
        }
        lines.remove(at: index)
        result.stderr = Data(lines.joined(separator: "\n").utf8)
        return (result, peak)
    }

    /// Runs `evictor` with arguments and an optional environment overlay.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], input: Data? = nil,
        timeout: Duration = .seconds(120), currentDirectory: URL? = nil, started: (@Sendable (Int32) -> Void)? = nil
    ) async throws -> ProcessResult {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        return try await ProcessRunner.run(
            try path, arguments, environment: merged, input: input, timeout: timeout, currentDirectory: currentDirectory, started: started)
    }

    /// Runs `evictor` and sends it `signal` (SIGKILL unless told) as soon as `shouldKill`
    /// (polled every 5 ms) says so; returns the result and whether the signal was sent and,
    /// for SIGKILL, killed it (false: it ended on its own first). The poll runs on a thread of
    /// its own, at normal priority, and the process at the lowest: on a busy machine (a whole
    /// test run on two cores) a poll waiting for the cooperative pool, or starved by the process
    /// it watches, would let the process run far past the moment, or to its end.
    public static func run(
        _ arguments: [String], signal: Int32 = SIGKILL, killWhen shouldKill: @escaping @Sendable () -> Bool
    ) async throws -> (ProcessResult, killed: Bool) {
        let pid = Mutex<Int32?>(nil)
        let ended = Mutex(false)
        let sent = Mutex(false)
        let poller = Thread {
            while !ended.withLock({ $0 }) {
                if let target = pid.withLock({ $0 }), shouldKill() {
                    let delivered = kill(target, signal) == 0
                    sent.withLock { $0 = delivered }
                    return
                }
                usleep(5_000)
            }
        }
        poller.start()
        let result = try await run(arguments) { started in
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(started), 19)
            pid.withLock { $0 = started }
        }
        ended.withLock { $0 = true }
        while !poller.isFinished { try await Task.sleep(for: .milliseconds(1)) }
        let killed = sent.withLock { $0 }
        return (result, killed && (signal != SIGKILL || result.status == SIGKILL))
    }
}
