import EvictorTestSupport
import Foundation
import Testing

/// `-v/--verbose`: what plugins print and log at info level reaches stderr; without it, only
/// their warnings and errors do.
@Suite("-v: plugin output")
struct VerboseTests {
    @Test("a policy's print and evictor.log.info show with -v and --verbose, not without")
    func pluginOutput() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        _ = try EvictionTests.writePolicy(
            work, "loud.lua",
            """
            return evictor.policy {
              name = "loud",
              decide = function(repo, ctx)
                print("deciding " .. repo.name)
                evictor.log.info("info about " .. repo.name)
                evictor.log.warning("warning about " .. repo.name)
              end,
            }
            """)
        let test = try EvictionTests.writePolicy(
            work, "loud_test.lua",
            """
            return evictor.policy_test {
              policy = "loud.lua",
              cases = { { name = "one", repository = { name = "shop/app", tags = { { name = "v1" } } }, expect = { keep = { "v1" }, delete = {} } } },
            }
            """)
        let quiet = try await EvictorBinary.run(["policy", "test", test], environment: ["EVICTOR_VERBOSE": "0"])
        #expect(quiet.status == 0, "\(quiet.stdoutText)\(quiet.stderrText)")
        #expect(!quiet.stderrText.contains("deciding") && !quiet.stderrText.contains("info about"), "\(quiet.stderrText)")
        #expect(quiet.stderrText.contains("warning about shop/app"), "\(quiet.stderrText)")
        for flag in ["-v", "--verbose"] {
            let loud = try await EvictorBinary.run(["policy", "test", flag, test], environment: ["EVICTOR_VERBOSE": "0"])
            #expect(loud.stderrText.contains("deciding shop/app") && loud.stderrText.contains("info about shop/app"), "\(flag): \(loud.stderrText)")
        }
    }
}
