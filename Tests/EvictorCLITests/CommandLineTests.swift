import EvictorCore
import EvictorTestSupport
import Testing

@Suite("The evictor command line")
struct CommandLineTests {
    @Test("--version prints the version")
    func version() async throws {
        let result = try await EvictorBinary.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == EvictorVersion.current)
    }

    @Test("--help describes the tool")
    func help() async throws {
        let result = try await EvictorBinary.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdoutText.contains("USAGE: evictor"))
        #expect(result.stdoutText.contains("Docker/OCI registries"))
    }

    @Test("an unknown option exits non-zero with one error line")
    func unknownOption() async throws {
        let result = try await EvictorBinary.run(["--no-such-flag"])
        #expect(result.status != 0)
        #expect(result.stderrText.contains("Error: Unknown option '--no-such-flag'"))
    }
}
