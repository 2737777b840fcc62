import Foundation

/// Debian's skopeo as an independent client: push layouts to the test registry, read back.
public enum Skopeo {
    /// Manifest format skopeo writes to the registry.
    public enum Format: String, Sendable {
        case oci
        case dockerV2 = "v2s2"
    }

    /// Copies `oci:LAYOUT:TAG` to `REGISTRY/REPOSITORY:DESTTAG` (`--all` for indexes).
    public static func push(
        layout: OCILayoutBuilder, tag: String, to registry: RegistryServer, repository: String,
        destinationTag: String? = nil, format: Format? = nil, all: Bool = true,
        credentials: (String, String)? = nil
    ) async throws {
        var arguments = ["--insecure-policy", "copy", "--dest-tls-verify=false", "--retry-times", "2"]
        if all { arguments.append("--all") }
        if let format { arguments += ["--format", format.rawValue] } else { arguments.append("--preserve-digests") }
        if let (user, password) = credentials { arguments += ["--dest-creds", "\(user):\(password)"] }
        arguments += ["oci:\(layout.directory.path):\(tag)", "docker://\(registry.hostPort)/\(repository):\(destinationTag ?? tag)"]
        try await ProcessRunner.check("skopeo", arguments, timeout: .seconds(120))
    }

    /// `skopeo inspect --raw` of `REPOSITORY:TAG` or `REPOSITORY@DIGEST`.
    public static func inspectRaw(
        _ registry: RegistryServer, _ reference: String, credentials: (String, String)? = nil
    ) async throws -> Data {
        var arguments = ["--insecure-policy", "inspect", "--raw", "--tls-verify=false"]
        if let (user, password) = credentials { arguments += ["--creds", "\(user):\(password)"] }
        arguments.append("docker://\(registry.hostPort)/\(reference)")
        return try await ProcessRunner.check("skopeo", arguments, timeout: .seconds(60)).stdout
    }

    /// Whether `skopeo inspect --raw` can fetch the reference.
    public static func canInspect(_ registry: RegistryServer, _ reference: String) async -> Bool {
        (try? await inspectRaw(registry, reference)) != nil
    }
}
