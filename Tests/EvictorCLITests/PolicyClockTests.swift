import EvictorTestSupport
import Foundation
import Testing

/// One clock per plan: `os.time()`, `evictor.time.now()` and `ctx.now` agree inside `decide`,
/// and `math.random` is seeded from it, so a plan (and a policy test) is reproducible.
@Suite("policies: one clock")
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
}
