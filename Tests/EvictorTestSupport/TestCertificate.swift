import Foundation

/// A self-signed certificate for 127.0.0.1 made with the openssl CLI, for TLS registries.
public struct TestCertificate: Sendable {
    public let certificateFile: String
    public let keyFile: String
    public let directory: URL

    /// Creates the key and certificate in a temporary directory.
    public static func make() async throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("key.pem").path
        let certificate = directory.appendingPathComponent("cert.pem").path
        try await ProcessRunner.check(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key, "-out", certificate, "-days", "2", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        return TestCertificate(certificateFile: certificate, keyFile: key, directory: directory)
    }

    /// Removes the files.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
