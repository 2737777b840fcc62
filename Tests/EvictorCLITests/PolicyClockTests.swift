import EvictorTestSupport
import Foundation
import Testing

/// What every `decide` starts from: one clock per plan (`os.time()`, `evictor.time.now()` and
/// `ctx.now` agree, `math.random` is seeded from it) and the globals the policy had once loaded.
@Suite("policies: one clock, clean globals")
struct PolicyClockTests {
    @Test("os.time and evictor.time.now are the fixture's now; math.random repeats from run to run")
    func oneClock() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        _ = try EvictionTests.writePolicy(
            work, "clock.lua",
            """
            local captured = os.time  -- kept before any decide: still the plan's clock
            return evictor.policy {
              name = "clock",
              decide = function(repo, ctx)
                local same = os.time() == math.floor(ctx.now) and captured() == math.floor(ctx.now) and evictor.time.now() == ctx.now
                print("random " .. math.random(1000000))
                for _, tag in ipairs(repo.tags) do
                  if same then tag:keep("one clock") else tag:delete("clocks differ") end
                end
              end,
            }
            """)
        let test = try EvictionTests.writePolicy(
            work, "clock_test.lua",
            """
            return evictor.policy_test {
              policy = "clock.lua",
              cases = {
                { name = "2020", now = "2020-01-01T00:00:00Z", repository = { name = "a", tags = { { name = "v1" } } },
                  expect = { keep = { "v1" }, delete = {} } },
              },
            }
            """)
        var draws: [String] = []
        for _ in 0..<2 {
            let result = try await EvictorBinary.run(["policy", "test", "-v", test])
            #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
            draws.append(result.stderrText.split(separator: "\n").first { $0.contains("random ") }.map(String.init) ?? "none")
        }
        #expect(draws[0] == draws[1] && draws[0] != "none", "\(draws)")
    }

    @Test("each repository's decide starts from clean globals: a stray global does not carry over, a replaced one comes back")
    func cleanGlobals() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        _ = try EvictionTests.writePolicy(
            work, "stray.lua",
            """
            threshold = 1  -- a global the file sets: every decide sees it
            return evictor.policy {
              name = "stray",
              decide = function(repo, ctx)
                seen = (seen or 0) + 1           -- a stray global
                local fresh = seen == 1 and threshold == 1 and type(tostring) == "function"
                tostring = nil                   -- clobbers a standard name
                threshold = 2
                for _, tag in ipairs(repo.tags) do
                  if fresh then tag:keep("clean globals") else tag:delete("globals carried over") end
                end
              end,
            }
            """)
        let test = try EvictionTests.writePolicy(
            work, "stray_test.lua",
            """
            return evictor.policy_test {
              policy = "stray.lua",
              cases = {
                { name = "first", repository = { name = "a", tags = { { name = "v1" } } }, expect = { keep = { "v1" }, delete = {} } },
                { name = "second", repository = { name = "b", tags = { { name = "v1" } } }, expect = { keep = { "v1" }, delete = {} } },
              },
            }
            """)
        let result = try await EvictorBinary.run(["policy", "test", test])
        #expect(result.status == 0 && result.stdoutText.contains("2 passed"), "\(result.stdoutText)\(result.stderrText)")
    }
}
