import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// plan / apply / evict / restore against the real registry, images pushed by skopeo.
@Suite("eviction: plan, apply, evict, restore")
struct EvictionTests {
    static let day: TimeInterval = 86_400
    static let base = Date(timeIntervalSince1970: 1_700_000_000)

    /// Tags per repository, from `evictor ls`.
    static func tags(_ registry: RegistryServer) async throws -> [String: Set<String>] {
        let result = try await EvictorBinary.run(["ls", registry.url])
        #expect(result.status == 0, "\(result.stderrText)")
        var tags: [String: Set<String>] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            let text = String(line)
            guard let colon = text.lastIndex(of: ":") else { continue }
            tags[String(text[..<colon]), default: []].insert(String(text[text.index(after: colon)...]))
        }
        return tags
    }

    static func workDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-evict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func writePolicy(_ directory: URL, _ name: String, _ source: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func image(_ seed: String, day offset: Double) -> TestImageSpec {
        TestImageSpec(created: base.addingTimeInterval(offset * day), layerSeed: seed)
    }

    @Test("in-use.lua (the original rule) leaves exactly the expected tags; dry run changes nothing; restore brings the rest back")
    func originalRule() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let work = try Self.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            for day in 1...8 {
                _ = try layout.addImage(tag: "v\(day)", Self.image("app-v\(day)", day: Double(day)))
                try await Skopeo.push(layout: layout, tag: "v\(day)", to: registry, repository: "shop/app")
            }
            _ = try layout.addImage(tag: "latest", Self.image("app-latest", day: 9))
            try await Skopeo.push(layout: layout, tag: "latest", to: registry, repository: "shop/app")
            for day in 1...2 {
                _ = try layout.addImage(tag: "old\(day)", Self.image("old-\(day)", day: Double(day)))
                try await Skopeo.push(layout: layout, tag: "old\(day)", to: registry, repository: "shop/old")
            }
            var images = [
                InventoryImage(
                    reference: try ImageReference(parsing: "registry.example.com/shop/app:v4"), seenAt: ["k8s;prod;shop;Deployment/app"],
                    sources: ["k8s"])
            ]
            for n in 1...9 {
                images.append(
                    InventoryImage(
                        reference: try ImageReference(parsing: "docker.io/library/nginx:1.\(n)"), seenAt: ["k8s;prod;web"], sources: ["k8s"]))
            }
            let inventory = work.appendingPathComponent("images.json").path
            try InventoryFile.write(Inventory(images: images), to: inventory)
            let before = try await Self.tags(registry)
            let planArguments = [
                "--policy", Fixtures.url("policies/in-use.lua").path, "--inventory", inventory, "--registry-alias", "registry.example.com",
            ]

            // Dry run: nothing changes.
            let dry = try await EvictorBinary.run(["evict", registry.url] + planArguments + ["--explain", "shop/app:v3"])
            #expect(dry.status == 0, "\(dry.stdoutText)\(dry.stderrText)")
            #expect(dry.stdoutText.contains("dry run: nothing deleted"))
            #expect(dry.stdoutText.contains("shop/app:v3 -> KEEP"), "\(dry.stdoutText)")
            #expect(try await Self.tags(registry) == before)

            let planPath = work.appendingPathComponent("plan.json").path
            let plan = try await EvictorBinary.run(["plan", registry.url] + planArguments + ["-o", planPath])
            #expect(plan.status == 0, "\(plan.stdoutText)\(plan.stderrText)")
            #expect(plan.stdoutText.contains("delete 5 of 11 tags"), "\(plan.stdoutText)")
            let journal = work.appendingPathComponent("journal.jsonl").path
            let apply = try await EvictorBinary.run(["apply", planPath, "--journal", journal])
            #expect(apply.status == 0, "\(apply.stdoutText)\(apply.stderrText)")
            #expect(apply.stdoutText.contains("deleted 5 manifests"), "\(apply.stdoutText)")

            let after = try await Self.tags(registry)
            #expect(after["shop/app"] == ["latest", "v8", "v7", "v4", "v3", "v2"])
            #expect(after["shop/old"] == nil)
            #expect(await Skopeo.canInspect(registry, "shop/app:v4"))
            #expect(await !Skopeo.canInspect(registry, "shop/app:v5"))
            let attributes = try FileManager.default.attributesOfItem(atPath: journal)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

            // Applying again resumes: nothing left to do, nothing else deleted.
            let again = try await EvictorBinary.run(["apply", planPath, "--journal", journal])
            #expect(again.status == 0, "\(again.stdoutText)\(again.stderrText)")
            #expect(again.stdoutText.contains("deleted 0 manifests, 5 already gone"), "\(again.stdoutText)")

            let restore = try await EvictorBinary.run(["restore", "--journal", journal])
            #expect(restore.status == 0, "\(restore.stdoutText)\(restore.stderrText)")
            for reference in ["shop/app:v1", "shop/app:v5", "shop/app:v6", "shop/old:old1", "shop/old:old2"] {
                #expect(await Skopeo.canInspect(registry, reference), "\(reference) not restored")
            }
            #expect(try await Self.tags(registry) == before)
        }
    }

    @Test("a tag sharing its digest with a kept tag is not deleted, and the kept tag still pulls")
    func sharedDigest() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let work = try Self.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            _ = try layout.addImage(tag: "stable", Self.image("shared", day: 1))
            try await Skopeo.push(layout: layout, tag: "stable", to: registry, repository: "shop/api")
            try await Skopeo.push(layout: layout, tag: "stable", to: registry, repository: "shop/api", destinationTag: "build-17")
            _ = try layout.addImage(tag: "build-16", Self.image("other", day: 0))
            try await Skopeo.push(layout: layout, tag: "build-16", to: registry, repository: "shop/api")
            let policy = try Self.writePolicy(
                work, "keep-stable.lua",
                """
                return evictor.policy {
                  name = "keep-stable",
                  default = "delete",
                  decide = function(repo, ctx)
                    for _, tag in ipairs(repo.tags) do
                      if tag.name == "stable" then tag:keep("the stable tag") end
                    end
                  end,
                }
                """)
            let result = try await EvictorBinary.run([
                "evict", registry.url, "--policy", policy, "--max-delete-percent", "100", "--delete", "--explain", "shop/api:build-17",
                "--journal", work.appendingPathComponent("j.jsonl").path,
            ])
            #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
            #expect(result.stdoutText.contains("shares digest"), "\(result.stdoutText)")
            #expect(try await Self.tags(registry)["shop/api"] == ["stable", "build-17"])
            #expect(await Skopeo.canInspect(registry, "shop/api:stable"))
        }
    }

    @Test("untagged.lua deletes an overwritten image and keeps a multi-arch index pullable for both platforms")
    func untaggedCleanup() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let work = try Self.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let index = try layout.addIndex(
                tag: "multi",
                [
                    TestImageSpec(created: Self.base, layerSeed: "multi-amd64", platform: .linuxAmd64),
                    TestImageSpec(created: Self.base, layerSeed: "multi-arm64", platform: .linuxArm64),
                ])
            try await Skopeo.push(layout: layout, tag: "multi", to: registry, repository: "shop/web")
            let first = try layout.addImage(tag: "edge", Self.image("edge-1", day: 1))
            try await Skopeo.push(layout: layout, tag: "edge", to: registry, repository: "shop/web")
            _ = try layout.addImage(tag: "edge2", Self.image("edge-2", day: 2))
            try await Skopeo.push(layout: layout, tag: "edge2", to: registry, repository: "shop/web", destinationTag: "edge")
            #expect(await Skopeo.canInspect(registry, "shop/web@\(first.digest)"))

            let result = try await EvictorBinary.run([
                "evict", registry.url, "--policy", Fixtures.url("policies/untagged.lua").path, "--storage-root", registry.storageRoot.path,
                "--delete", "--journal", work.appendingPathComponent("j.jsonl").path,
            ])
            #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
            #expect(result.stdoutText.contains("deleted 1 manifest,"), "\(result.stdoutText)")
            #expect(await !Skopeo.canInspect(registry, "shop/web@\(first.digest)"))
            #expect(await Skopeo.canInspect(registry, "shop/web:multi"))
            for child in index.children {
                #expect(await Skopeo.canInspect(registry, "shop/web@\(child.digest)"), "platform child \(child.digest) lost")
            }
            #expect(try await Self.tags(registry)["shop/web"] == ["multi", "edge"])
        }
    }

    @Test("a tag moved between plan and apply is skipped")
    func movedTagSkipped() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let work = try Self.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            for day in 1...3 {
                _ = try layout.addImage(tag: "r\(day)", Self.image("moved-\(day)", day: Double(day)))
                try await Skopeo.push(layout: layout, tag: "r\(day)", to: registry, repository: "shop/jobs")
            }
            let planPath = work.appendingPathComponent("plan.json").path
            let plan = try await EvictorBinary.run([
                "plan", registry.url, "--policy", Fixtures.url("policies/keep-last.lua").path, "--policy-option", "keep=1",
                "--max-delete-percent", "70", "-o", planPath,
            ])
            #expect(plan.status == 0, "\(plan.stdoutText)\(plan.stderrText)")
            // r1 now points at a new image: its planned delete must not take it.
            _ = try layout.addImage(tag: "fresh", Self.image("moved-fresh", day: 9))
            try await Skopeo.push(layout: layout, tag: "fresh", to: registry, repository: "shop/jobs", destinationTag: "r1")
            let apply = try await EvictorBinary.run(["apply", planPath, "--journal", work.appendingPathComponent("j.jsonl").path])
            #expect(apply.status == 3, "skipped actions exit 3: \(apply.stdoutText)\(apply.stderrText)")
            #expect(apply.stdoutText.contains("tag r1 moved"), "\(apply.stdoutText)")
            #expect(apply.stdoutText.contains("deleted 1 manifest, 0 already gone, 1 skipped"), "\(apply.stdoutText)")
            #expect(try await Self.tags(registry)["shop/jobs"] == ["r1", "r3"])
        }
    }

    @Test(
        "malformed policies fail with one error naming file and line, and delete nothing",
        arguments: [
            ("syntax.lua", "return evictor.policy { name = \"x\", decide = function(repo)\n  if then end\nend }\n", "syntax.lua:2:"),
            (
                "runtime.lua", "return evictor.policy { name = \"x\", decide = function(repo)\n  local n = nil\n  return n.field\nend }\n",
                "runtime.lua:3:"
            ),
            ("returns.lua", "return evictor.policy { name = \"x\", decide = function(repo)\n  return \"delete\"\nend }\n", "returns.lua:1:"),
            ("not-a-policy.lua", "return 42\n", "not-a-policy.lua: must return evictor.policy"),
            ("loop.lua", "return evictor.policy { name = \"x\", decide = function(repo)\n  while true do end\nend }\n", "loop.lua:2:"),
            (
                "bomb.lua",
                "return evictor.policy { name = \"x\", decide = function(repo)\n"
                    + "  local t = {}\n  for i = 1, 1e9 do t[i] = string.rep(\"x\", 64) .. i end\nend }\n",
                "bomb.lua:3:"
            ),
            (
                "bad-reason.lua", "return evictor.policy { name = \"x\", decide = function(repo)\n  repo.tags[1]:delete()\nend }\n",
                "bad-reason.lua:2:"
            ),
            (
                "wrong-type.lua", "return evictor.policy { name = \"x\", decide = function(repo)\n  repo.tags[1]:delete(123)\nend }\n",
                "wrong-type.lua:2:"
            ),
            (
                "handler.lua",
                "return evictor.policy { name = \"x\", decide = function(repo)\n"
                    + "  local ok, m = xpcall(function() error(\"first\") end, function() error(\"again\") end)\n  error(m)\nend }\n",
                "handler.lua:3:"
            ),
            (
                "yield.lua", "return evictor.policy { name = \"x\", decide = function(repo)\n  coroutine.yield(\"escape\")\nend }\n",
                "yield.lua:2: attempt to yield from outside a coroutine"
            ),
            (
                "cyclic.lua", "return evictor.policy { name = \"x\", decide = function(repo)\n  local t = {}\n  t.self = t\n  return t\nend }\n",
                "cyclic.lua:1: decide must return nothing"
            ),
            (
                "pattern.lua",
                "return evictor.policy { name = \"x\", decide = function(repo)\n"
                    + "  repo.tags[1]:delete((\"a\"):rep(4000):find(\".-.-.-.-b\") or \"x\")\nend }\n",
                "pattern.lua:2:"
            ),
        ])
    func malformedPolicy(file: String, source: String, expected: String) async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let work = try Self.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            _ = try layout.addImage(tag: "v1", Self.image("malformed", day: 1))
            try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "shop/x")
            let policy = try Self.writePolicy(work, file, source)
            let result = try await EvictorBinary.run(["evict", registry.url, "--policy", policy, "--delete", "--max-delete-percent", "100"])
            #expect(result.status != 0)
            let lines = result.stderrText.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderrText)")
            #expect(result.stderrText.contains(expected), "\(result.stderrText)")
            #expect(try await Self.tags(registry)["shop/x"] == ["v1"])
        }
    }

    @Test("in-use.lua refuses a missing, tiny or foreign inventory; the share cap refuses a large plan")
    func refusals() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let work = try Self.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            for day in 1...4 {
                _ = try layout.addImage(tag: "t\(day)", Self.image("refuse-\(day)", day: Double(day)))
                try await Skopeo.push(layout: layout, tag: "t\(day)", to: registry, repository: "shop/r")
            }
            let policy = Fixtures.url("policies/in-use.lua").path
            let missing = try await EvictorBinary.run(["evict", registry.url, "--policy", policy, "--delete"])
            #expect(missing.status != 0)
            #expect(missing.stderrText.contains("needs --inventory"), "\(missing.stderrText)")

            let tiny = work.appendingPathComponent("tiny.json").path
            try InventoryFile.write(
                Inventory(images: [
                    InventoryImage(reference: try ImageReference(parsing: "\(registry.hostPort)/shop/r:t1"), seenAt: ["x"], sources: ["static"])
                ]), to: tiny)
            let small = try await EvictorBinary.run(["evict", registry.url, "--policy", policy, "--inventory", tiny, "--delete"])
            #expect(small.status != 0)
            #expect(small.stderrText.contains("fewer than 10"), "\(small.stderrText)")

            let foreign = work.appendingPathComponent("foreign.json").path
            try InventoryFile.write(
                Inventory(
                    images: try (1...12).map {
                        InventoryImage(reference: try ImageReference(parsing: "elsewhere.io/app:\($0)"), seenAt: ["x"], sources: ["static"])
                    }), to: foreign)
            let elsewhere = try await EvictorBinary.run(["evict", registry.url, "--policy", policy, "--inventory", foreign, "--delete"])
            #expect(elsewhere.status != 0)
            #expect(elsewhere.stderrText.contains("--registry-alias"), "\(elsewhere.stderrText)")

            // With --min-inventory 1 the tiny inventory passes, and keeping 1 of 4 deletes 75%.
            let capped = try await EvictorBinary.run([
                "evict", registry.url, "--policy", policy, "--inventory", tiny, "--min-inventory", "1",
                "--policy-option", "keep_newest=0", "--policy-option", "keep_before=0", "--delete",
            ])
            #expect(capped.status != 0)
            #expect(capped.stderrText.contains("--max-delete-percent"), "\(capped.stderrText)")
            #expect(try await Self.tags(registry)["shop/r"] == ["t1", "t2", "t3", "t4"])
        }
    }

    @Test("after garbage collection, restore says which manifests cannot come back and exits 1")
    func restoreAfterGarbageCollection() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let work = try Self.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            for day in 1...2 {
                _ = try layout.addImage(tag: "g\(day)", Self.image("gc-restore-\(day)", day: Double(day)))
                try await Skopeo.push(layout: layout, tag: "g\(day)", to: registry, repository: "shop/gc")
            }
            let journal = work.appendingPathComponent("j.jsonl").path
            let evict = try await EvictorBinary.run([
                "evict", registry.url, "--policy", Fixtures.url("policies/keep-last.lua").path, "--policy-option", "keep=1",
                "--delete", "--journal", journal,
            ])
            #expect(evict.status == 0, "\(evict.stdoutText)\(evict.stderrText)")
            registry.suspend()
            let gc = try await EvictorBinary.run(["storage", "gc", "--root", registry.storageRoot.path, "--apply"])
            #expect(gc.status == 0, "\(gc.stderrText)")
            try await registry.restart()
            let restore = try await EvictorBinary.run(["restore", "--journal", journal])
            #expect(restore.status == 1, "\(restore.stdoutText)\(restore.stderrText)")
            #expect(restore.stdoutText.contains("cannot restore\tshop/gc@"), "\(restore.stdoutText)")
            #expect(restore.stdoutText.contains("is gone (garbage collection ran since the delete)"), "\(restore.stdoutText)")
            #expect(try await Self.tags(registry)["shop/gc"] == ["g2"])
        }
    }
}
