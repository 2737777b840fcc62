import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// In-use protection that cannot fail silently: a bare reference means `:latest`, an inventory
/// that protects nothing on this registry is refused by every policy, and `check` reads the
/// same in-use index as `plan`. Real registry, images pushed by skopeo.
@Suite("in-use protection never fails silently")
struct InUseProtectionTests {
    /// Deletes every tag it is given: only the rails keep anything.
    static let deleteAll = """
        return evictor.policy {
          name = "delete-all",
          description = "everything goes unless a rail keeps it",
          default = "delete",
          decide = function(repo, ctx) end,
        }
        """

    static func inventory(_ references: [String], at path: String) throws {
        let images = try references.map {
            InventoryImage(reference: try ImageReference(parsing: $0), seenAt: ["compose;app.yml;\($0)"], sources: ["compose"])
        }
        try InventoryFile.write(Inventory(images: images), to: path)
    }

    /// Pushes `tools/debug:latest`, `:v1` and `:v2` (distinct images) and `shop/app:v1`, `:v2`.
    static func seed(_ registry: RegistryServer) async throws {
        let layout = try OCILayoutBuilder.temporary()
        defer { layout.remove() }
        for (offset, tag) in ["v1", "v2", "latest"].enumerated() {
            _ = try layout.addImage(tag: tag, EvictionTests.image("debug-\(tag)", day: Double(offset)))
            try await Skopeo.push(layout: layout, tag: tag, to: registry, repository: "tools/debug")
        }
        for day in 1...2 {
            _ = try layout.addImage(tag: "app-v\(day)", EvictionTests.image("app-\(day)", day: Double(day)))
            try await Skopeo.push(layout: layout, tag: "app-v\(day)", to: registry, repository: "shop/app", destinationTag: "v\(day)")
        }
    }

    /// A seeded registry, a work directory and the delete-all policy written in it.
    static func withSeededRegistry(_ body: (RegistryServer, URL, String) async throws -> Void) async throws {
        try await RegistryServer.with { registry in
            try await seed(registry)
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            try await body(registry, work, try EvictionTests.writePolicy(work, "delete-all.lua", deleteAll))
        }
    }

    static func oneLine(_ result: ProcessResult, _ parts: [String], _ what: String) {
        #expect(result.status != 0, "\(what): exit 0: \(result.stdoutText)")
        let lines = result.stderrText.split(separator: "\n")
        #expect(lines.count == 1, "\(what): \(result.stderrText)")
        for part in parts { #expect(result.stderrText.contains(part), "\(what): \(result.stderrText)") }
    }

    @Test("a reference without tag or digest protects :latest in plan, apply and check alike")
    func bareReferenceIsLatest() async throws {
        try await Self.withSeededRegistry { registry, work, policy in
            let inventory = work.appendingPathComponent("images.json").path
            try Self.inventory(["\(registry.hostPort)/tools/debug", "\(registry.hostPort)/shop/app:v2"], at: inventory)

            let planPath = work.appendingPathComponent("plan.json").path
            let plan = try await EvictorBinary.run([
                "plan", registry.url, "--policy", policy, "--inventory", inventory, "--max-delete-percent", "100",
                "--explain", "tools/debug:latest", "-o", planPath,
            ])
            #expect(plan.status == 0, "\(plan.stdoutText)\(plan.stderrText)")
            #expect(plan.stdoutText.contains("tools/debug:latest -> KEEP"), "\(plan.stdoutText)")
            #expect(plan.stdoutText.contains("delete 3 of 5 tags"), "\(plan.stdoutText)")
            let apply = try await EvictorBinary.run(["apply", planPath])
            #expect(apply.status == 0, "\(apply.stdoutText)\(apply.stderrText)")
            #expect(await Skopeo.canInspect(registry, "tools/debug:latest"))
            #expect(await Skopeo.canInspect(registry, "shop/app:v2"))
            #expect(await !Skopeo.canInspect(registry, "tools/debug:v1"))

            let check = try await EvictorBinary.run([
                "check", registry.url, "--inventory", inventory, "--report-dir", work.appendingPathComponent("r").path,
            ])
            #expect(check.status == 0, "\(check.stdoutText)\(check.stderrText)")
            #expect(check.stdoutText.contains("checked 2 tags in 2 repositories"), "\(check.stdoutText)")
        }
    }

    @Test("an inventory none of whose images is on this registry is refused by every policy and by check; nothing is deleted")
    func foreignInventory() async throws {
        try await Self.withSeededRegistry { registry, work, policy in
            let inventory = work.appendingPathComponent("images.json").path
            // The same registry under another name: the plan talks to 127.0.0.1, the inventory says localhost.
            let otherName = "localhost:\(registry.port)"
            try Self.inventory(["\(otherName)/tools/debug:v1", "\(otherName)/shop/app:v1"], at: inventory)
            let journal = work.appendingPathComponent("j.jsonl").path
            let arguments = ["--policy", policy, "--inventory", inventory, "--max-delete-percent", "100"]

            Self.oneLine(
                try await EvictorBinary.run(["evict", registry.url] + arguments + ["--delete", "--journal", journal]),
                [otherName, "--registry-alias", "none of the 2 images"], "evict with a foreign inventory")
            Self.oneLine(
                try await EvictorBinary.run(["plan", registry.url] + arguments + ["--registry-alias", "typo.example:5000"]),
                [otherName, "typo.example:5000", "--registry-alias"], "plan with a wrong alias")
            let check = try await EvictorBinary.run([
                "check", registry.url, "--inventory", inventory, "--report-dir", work.appendingPathComponent("r").path,
            ])
            Self.oneLine(check, [otherName, "--registry-alias"], "check with a foreign inventory")
            #expect(check.status == 2)
            #expect(!FileManager.default.fileExists(atPath: journal))
            #expect(try await EvictionTests.tags(registry) == ["tools/debug": ["v1", "v2", "latest"], "shop/app": ["v1", "v2"]])

            // With the alias the inventory holds: v1 of both is protected.
            let aliased = try await EvictorBinary.run(
                ["plan", registry.url] + arguments + ["--registry-alias", otherName, "--explain", "shop/app:v1"])
            #expect(aliased.status == 0, "\(aliased.stdoutText)\(aliased.stderrText)")
            #expect(aliased.stdoutText.contains("shop/app:v1 -> KEEP"), "\(aliased.stdoutText)")
        }
    }

    @Test("an empty inventory, or one below --min-inventory, is refused for a policy that does not ask for one")
    func emptyOrTinyInventory() async throws {
        try await Self.withSeededRegistry { registry, work, policy in
            let empty = work.appendingPathComponent("empty.json").path
            try Self.inventory([], at: empty)
            let journal = work.appendingPathComponent("j.jsonl").path
            Self.oneLine(
                try await EvictorBinary.run([
                    "evict", registry.url, "--policy", policy, "--inventory", empty, "--max-delete-percent", "100",
                    "--min-inventory", "0", "--delete", "--journal", journal,
                ]),
                ["inventory lists no images"], "evict with an empty inventory")
            Self.oneLine(
                try await EvictorBinary.run(["check", registry.url, "--inventory", empty]), ["inventory lists no images"],
                "check with an empty inventory")
            let small = work.appendingPathComponent("small.json").path
            try Self.inventory(["\(registry.hostPort)/tools/debug:v1"], at: small)
            Self.oneLine(
                try await EvictorBinary.run(["plan", registry.url, "--policy", policy, "--inventory", small, "--min-inventory", "5"]),
                ["lists 1 image, fewer than 5"], "plan below --min-inventory")
            #expect(!FileManager.default.fileExists(atPath: journal))
            #expect(try await EvictionTests.tags(registry) == ["tools/debug": ["v1", "v2", "latest"], "shop/app": ["v1", "v2"]])
        }
    }

    @Test("check --all marks a tag whose digest the inventory pins as in use, as plan does")
    func checkAllSeesDigestPins() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let built = try layout.addImage(tag: "v1", EvictionTests.image("pinned", day: 1))
            try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "shop/pinned")
            // Break it so check reports it, and say whether it runs.
            let layer = try #require(built.layerDigests.first)
            try FileManager.default.removeItem(at: StorageSeeder(root: registry.storageRoot).blobPath(layer))
            try await registry.restart()
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let inventory = work.appendingPathComponent("images.json").path
            try Self.inventory(["\(registry.hostPort)/shop/pinned@\(built.digest)"], at: inventory)
            let check = try await EvictorBinary.run([
                "check", registry.url, "--all", "--inventory", inventory, "--report-dir", work.appendingPathComponent("r").path,
            ])
            #expect(check.status == 1, "\(check.stdoutText)\(check.stderrText)")
            #expect(check.stdoutText.contains("shop/pinned:v1"), "\(check.stdoutText)")
            #expect(check.stdoutText.contains("IN USE by compose;app.yml;"), "\(check.stdoutText)")
        }
    }
}
