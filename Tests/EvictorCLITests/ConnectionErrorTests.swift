import EvictorTestSupport
import Foundation
import Testing

/// Connections that cannot work, whatever the retries: an unknown host, HTTPS to a registry that
/// speaks plain HTTP and the reverse. Each is one line saying what to do, at once, not after five
/// attempts of the HTTP client's 5 s of connecting (27 s) or as a TLS library's error dump.
@Suite("connections that cannot work: one line at once")
struct ConnectionErrorTests {
    /// Five attempts of 5 s connecting each took 27 s; one takes about 5 s. Generous bound.
    static let wellUnderTheRetries: Duration = .seconds(15)

    static func expectOneLine(_ result: ProcessResult, _ parts: [String], took elapsed: Duration) {
        #expect(result.status != 0)
        let lines = result.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderrText)")
        for part in parts { #expect(result.stderrText.contains(part), "\(result.stderrText)") }
        #expect(!result.stderrText.contains("OPENSSL") && !result.stderrText.contains(".cc:"), "\(result.stderrText)")
        #expect(elapsed < wellUnderTheRetries, "took \(elapsed)")
    }

    static func timed(_ arguments: [String]) async throws -> (ProcessResult, Duration) {
        let started = ContinuousClock.now
        let result = try await EvictorBinary.run(arguments)
        return (result, ContinuousClock.now - started)
    }

    @Test("an unknown host name is reported at once as a failed DNS lookup")
    func unknownHost() async throws {
        let (result, elapsed) = try await Self.timed(["ls", "nosuch.invalid:5000"])
        Self.expectOneLine(result, ["registry nosuch.invalid:5000: cannot connect: unknown host nosuch.invalid (DNS lookup failed)"], took: elapsed)
    }

    @Test("host:port (HTTPS) against a plain-HTTP registry says to use http:// or --plain-http")
    func httpsToPlainHTTP() async throws {
        try await RegistryServer.with { registry in
            let (result, elapsed) = try await Self.timed(["ls", registry.hostPort])
            Self.expectOneLine(result, ["registry \(registry.hostPort): cannot connect: the registry answered plain HTTP", "use http://\(registry.hostPort)", "--plain-http"], took: elapsed)
        }
    }

    @Test("http:// or --plain-http against a TLS registry says to use https:// or host:port; an untrusted certificate says --ca-file")
    func plainHTTPToTLS() async throws {
        let certificate = try await TestCertificate.make()
        defer { certificate.remove() }
        var options = RegistryOptions()
        options.tlsCertificate = certificate.certificateFile
        options.tlsKey = certificate.keyFile
        try await RegistryServer.with(options) { registry in
            for arguments in [["ls", "http://\(registry.hostPort)"], ["count", registry.hostPort, "--plain-http"]] {
                let (result, elapsed) = try await Self.timed(arguments)
                Self.expectOneLine(result, ["registry \(registry.hostPort): cannot connect: the registry speaks HTTPS", "use https://\(registry.hostPort)"], took: elapsed)
            }
            // Not a wrong scheme: the certificate is not trusted. No TLS library dump either.
            let (untrusted, elapsed) = try await Self.timed(["ls", registry.hostPort])
            Self.expectOneLine(untrusted, ["registry \(registry.hostPort): cannot connect: TLS certificate not trusted", "--ca-file"], took: elapsed)
        }
    }
}
