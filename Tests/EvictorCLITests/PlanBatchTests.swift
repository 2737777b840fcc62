import EvictorTestSupport
import Foundation
import Testing

@Suite("Plans read a batch of repositories at a time")
struct PlanBatchTests {
    @Test("a policy that fails on a later batch stops the plan there: one line, exit 2, no plan written, the rest never read")
    func failingLaterBatch() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-batches-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        // Three repositories of 1,100 tags: a batch holds at most 2,048 tags (plan's default
        // concurrency), so each is read alone.
        let seeder = StorageSeeder(root: work.appendingPathComponent("storage"))
        for (index, name) in ["a/one", "b/two", "c/three"].enumerated() {
            _ = try seeder.image(
                repository: name, tags: (0..<1_100).map { "t\($0)" },
                spec: TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: "batch-\(index)"))
        }
        let policy = work.appendingPathComponent("fails-late.lua").path
        try """
        return evictor.policy {
          name = "fails-late",
          description = "keeps everything, and cannot decide b/two",
          default = "keep",
          decide = function(repo, ctx)
            if repo.name == "b/two" then error("no rule for " .. repo.name) end
          end,
        }
        """.write(toFile: policy, atomically: true, encoding: .utf8)
        var options = RegistryOptions()
        options.storageRoot = work.appendingPathComponent("storage")
        try await RegistryServer.with(options) { registry in
            let planFile = work.appendingPathComponent("plan.json").path
            let result = try await EvictorBinary.run(
                ["plan", registry.url, "--policy", policy, "-o", planFile], environment: ["EVICTOR_STATS": "1"])
            #expect(result.status == 2, "\(result.stderrText)")
            let lines = result.stderrText.split(separator: "\n").filter { !$0.hasPrefix("evictor-stats:") }
            #expect(lines.count == 1, "\(result.stderrText)")
            #expect(lines.first?.contains("fails-late") == true && lines.first?.contains("no rule for b/two") == true, "\(result.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: planFile))
            // The catalog, three tag lists and the manifests of a/one and b/two; c/three's 1,100
            // were never asked for.
            let requests = result.stderrText.split(separator: "\n").first { $0.hasPrefix("evictor-stats: requests=") }
                .flatMap { Int($0.dropFirst("evictor-stats: requests=".count).prefix { $0.isNumber }) }
            let sent = try #require(requests)
            #expect(sent >= 2_200 && sent < 3_000, "\(sent) requests")
        }
    }
}
