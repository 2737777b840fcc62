import EvictorTestSupport
import Foundation
import Testing

/// Connections that cannot work, whatever the retries: an unknown host, HTTPS to a registry that
/// speaks plain HTTP and the reverse. Each is one line saying what to do, at once, not after five
/// attempts of the HTTP client's 5 s of connecting (27 s) or as a TLS library's error dump.
@Suite("connections that cannot work: one line at once")
struct ConnectionErrorTests {
    /// One line, exit 2 (could not run), and no retries: a retried failure says "(N attempts)".
    /// How many requests each case costs is counted in RegistryAPITests
    /// (PermanentConnectionFailureTests), not timed here: a wall clock on a busy machine is no
    /// measure.
    static func expectOneLine(_ result: ProcessResult, _ parts: [String]) {
        #expect(result.status == 2, "\(result.status): \(result.stderrText)")
        let lines = result.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderrText)")
        for part in parts { #expect(result.stderrText.contains(part), "\(result.stderrText)") }
        #expect(!result.stderrText.contains("OPENSSL") && !result.stderrText.contains(".cc:"), "\(result.stderrText)")
        #expect(!result.stderrText.contains("attempts"), "retried: \(result.stderrText)")
    }

    @Test("an unknown host name is reported at once as a failed DNS lookup")
    func unknownHost() async throws {
        let result = try await EvictorBinary.run(["ls", "nosuch.invalid:5000"])
        Self.expectOneLine(result, ["registry nosuch.invalid:5000: cannot connect: unknown host nosuch.invalid (DNS lookup failed)"])
    }

    @Test("host:port (HTTPS) against a plain-HTTP registry says to use http:// or --plain-http")
    func httpsToPlainHTTP() async throws {
        try await RegistryServer.with { registry in
            let result = try await EvictorBinary.run(["ls", registry.hostPort])
            Self.expectOneLine(
                result,
                [
                    "registry \(registry.hostPort): cannot connect: the registry answered plain HTTP", "use http://\(registry.hostPort)",
                    "--plain-http",
                ])
        }
    }

    @Test("http:// or --plain-http against a TLS registry says to use https:// or host:port; an untrusted certificate says --ca-file")
    func plainHTTPToTLS() async throws {
        try await RegistryServer.withTLS { registry, _ in
            for arguments in [["ls", "http://\(registry.hostPort)"], ["count", registry.hostPort, "--plain-http"]] {
                let result = try await EvictorBinary.run(arguments)
                Self.expectOneLine(
                    result, ["registry \(registry.hostPort): cannot connect: the registry speaks HTTPS", "use https://\(registry.hostPort)"])
            }
            // Not a wrong scheme: the certificate is not trusted. No TLS library dump either.
            let untrusted = try await EvictorBinary.run(["ls", registry.hostPort])
            Self.expectOneLine(untrusted, ["registry \(registry.hostPort): cannot connect: TLS certificate not trusted", "--ca-file"])
        }
    }
}
