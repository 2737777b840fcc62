import EvictorTestSupport
import Foundation
import Testing

@Suite("TLS: verified by default, --ca-file, --insecure with a warning")
struct TLSTests {
    @Test("a self-signed registry is refused by default and accepted with its CA or --insecure")
    func selfSigned() async throws {
        try await RegistryServer.withTLS { registry, certificate in
            // host:port means HTTPS.
            let verified = try await EvictorBinary.run(["ls", registry.hostPort, "--timeout", "5"])
            #expect(verified.status != 0)
            #expect(verified.stderrText.split(separator: "\n").count == 1, "\(verified.stderrText)")
            #expect(verified.stderrText.contains(registry.hostPort))

            let withCA = try await EvictorBinary.run(["ls", registry.hostPort, "--ca-file", certificate.certificateFile])
            #expect(withCA.status == 0, "\(withCA.stderrText)")
            #expect(!withCA.stderrText.contains("warning"))

            let insecure = try await EvictorBinary.run(["count", registry.hostPort, "--insecure"])
            #expect(insecure.status == 0, "\(insecure.stderrText)")
            #expect(insecure.stderrText.contains("warning: TLS certificate verification is off"))
            #expect(insecure.stdoutText.contains("repositories: 0"))

            let junk = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-junk-\(UUID().uuidString).pem")
            defer { try? FileManager.default.removeItem(at: junk) }
            try Data("not a certificate\n".utf8).write(to: junk)
            let badCA = try await EvictorBinary.run(["ls", registry.hostPort, "--ca-file", junk.path])
            #expect(badCA.status == 2)
            #expect(
                badCA.stderrText == "Error: invalid registry '\(registry.hostPort)': CA file \(junk.path) holds no usable PEM certificate\n",
                "\(badCA.stderrText)")
        }
    }
}
