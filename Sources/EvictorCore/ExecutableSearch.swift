import Foundation

/// Finds a program on `PATH`, as a shell would (no shell is involved).
public enum ExecutableSearch {
    /// The first executable `program` in `PATH` of `environment`; a path with `/` is taken as is.
    public static func find(_ program: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
