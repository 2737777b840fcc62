import Foundation

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
                   FileManager.default.isExecutableFile(atPath: candidate.path) {
                    return candidate.path
                }
                directory.deleteLastPathComponent()
            }
            throw TestSupportError("evictor binary not found near \(CommandLine.arguments[0]); run `swift build` first")
        }
    }

    /// Runs `evictor` with arguments and an optional environment overlay.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], input: Data? = nil,
        timeout: Duration = .seconds(120)
    ) async throws -> ProcessResult {
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        return try await ProcessRunner.run(try path, arguments, environment: merged, input: input, timeout: timeout)
    }
}
