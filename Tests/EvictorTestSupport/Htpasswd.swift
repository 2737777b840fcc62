import Foundation

/// htpasswd files for basic-auth registries.
public enum Htpasswd {
    /// A temporary htpasswd file with one bcrypt entry (Distribution accepts bcrypt only),
    /// written by the real `htpasswd`. The caller removes it.
    public static func write(user: String, password: String) async throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-htpasswd-\(UUID().uuidString)")
        try (try await ProcessRunner.check("htpasswd", ["-Bbn", user, password])).stdout.write(to: url)
        return url
    }
}
