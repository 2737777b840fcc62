import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// `evictor storage scan / fix / revert / rm` on a store the test damages on disk.
@Suite("storage scan, fix, revert and rm")
struct StorageRepairTests {
    /// Every file and directory under the store with its bytes' sha256.
    static func tree(_ root: URL) throws -> [String: String] {
        try StorageSeeder.tree(root)
    }

    @Test("scan finds every damage; fix --apply leaves every listed tag pullable; revert restores the exact tree")
    func scanFixRevert() async throws {
        try await RegistryServer.with { registry in
            let (index, _) = try await StorageGCTests.populate(registry)
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let created = Date(timeIntervalSince1970: 1_700_000_000)
            var built: [String: BuiltManifest] = [:]
            for name in ["gone", "corrupt", "nolayer", "bitrot"] {
                built[name] = try layout.addImage(tag: name, TestImageSpec(created: created, layerSeed: "repair-\(name)"))
                try await Skopeo.push(layout: layout, tag: name, to: registry, repository: "team/app")
            }
            _ = try layout.addImage(tag: "t", TestImageSpec(created: created, layerSeed: "repair-lonely"))
            try await Skopeo.push(layout: layout, tag: "t", to: registry, repository: "team/lonely")
            registry.suspend()

            let store = StorageSeeder(root: registry.storageRoot)
            let fm = FileManager.default
            // 1. a tag whose link is garbage
            let ghost = store.repositoryPath("team/app", "_manifests/tags/ghost/current/link")
            try fm.createDirectory(at: ghost.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("garbage".utf8).write(to: ghost)
            // 2. a tag whose revision link is gone
            let xDigest = try String(contentsOf: store.repositoryPath("team/other", "_manifests/tags/x/current/link"), encoding: .utf8)
            try fm.removeItem(at: store.repositoryPath("team/other", "_manifests/revisions/sha256/\(xDigest.dropFirst(7))"))
            // 3. a manifest blob deleted by hand
            try fm.removeItem(at: store.blobPath(try #require(built["gone"]).digest).deletingLastPathComponent())
            // 4. a corrupt manifest
            try Data("{not json".utf8).write(to: store.blobPath(try #require(built["corrupt"]).digest))
            // 5. a layer deleted by hand
            let lostLayer = try #require(built["nolayer"]?.layerDigests.first)
            try fm.removeItem(at: store.blobPath(lostLayer).deletingLastPathComponent())
            // 6. an index child's layer deleted
            let armLayer = try #require(index.children.last?.layerDigests.first)
            try fm.removeItem(at: store.blobPath(armLayer).deletingLastPathComponent())
            // 7. a zero-byte blob
            let empty = "sha256:" + String(repeating: "e", count: 64)
            try fm.createDirectory(at: store.blobPath(empty).deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: store.blobPath(empty))
            // 8. an upload started long ago
            let upload = store.repositoryPath("team/app", "_uploads/0f4c6d1e-0000-4000-8000-000000000001")
            try fm.createDirectory(at: upload, withIntermediateDirectories: true)
            try Data("2020-01-01T00:00:00Z".utf8).write(to: upload.appendingPathComponent("startedat"))
            try Data("partial".utf8).write(to: upload.appendingPathComponent("data"))
            // 10. a layer whose bytes rotted (same size, other content): only --verify-blobs sees it
            let rotten = try #require(built["bitrot"]?.layerDigests.first)
            var rottenBytes = try Data(contentsOf: store.blobPath(rotten))
            rottenBytes[rottenBytes.count / 2] ^= 0xFF
            try rottenBytes.write(to: store.blobPath(rotten))
            // 9. a repository left without tags
            try fm.removeItem(at: store.repositoryPath("team/lonely", "_manifests/tags"))

            let before = try Self.tree(registry.storageRoot)
            let work = fm.temporaryDirectory.appendingPathComponent("evictor-repair-\(UUID().uuidString)")
            defer { try? fm.removeItem(at: work) }
            let scan = try await EvictorBinary.run([
                "storage", "scan", "--root", registry.storageRoot.path, "--verify-blobs", "--report-dir", work.appendingPathComponent("report").path,
                "--output", "json",
            ])
            #expect(scan.status == 1, "\(scan.stderrText)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdoutText.utf8)) as? [String: Any])
            let findings = try #require(report["findings"] as? [[String: Any]])
            func found(_ problem: String, _ repository: String, tag: String? = nil, digest: String? = nil) -> Bool {
                findings.contains { finding in
                    finding["problem"] as? String == problem && finding["repository"] as? String == repository
                        && (tag == nil || finding["tag"] as? String == tag) && (digest == nil || finding["digest"] as? String == digest)
                }
            }
            #expect(found("tag-link-broken", "team/app", tag: "ghost"))
            #expect(found("tag-revision-missing", "team/other", tag: "x"))
            #expect(found("tag-blob-missing", "team/app", tag: "gone"))
            #expect(found("revision-blob-missing", "team/app", digest: built["gone"]?.digest))
            #expect(found("manifest-digest-mismatch", "team/app", digest: built["corrupt"]?.digest))
            #expect(found("reference-missing", "team/app", digest: built["nolayer"]?.digest))
            #expect(found("layer-link-blob-missing", "team/app", digest: lostLayer))
            #expect(found("reference-missing", "team/multi", digest: index.children.last?.digest))
            #expect(found("empty-blob", "", digest: empty))
            #expect(found("stale-upload", "team/app"))
            #expect(found("no-tags", "team/lonely"))
            #expect(found("reference-missing", "team/multi", digest: index.digest))
            #expect(findings.count == 15, "\(findings.map { "\($0["problem"] ?? "") \($0["repository"] ?? "")" })")
            #expect(try Self.tree(registry.storageRoot) == before, "scan must not change the store")

            let quarantine = work.appendingPathComponent("quarantine").path
            let dry = try await EvictorBinary.run(["storage", "fix", "--root", registry.storageRoot.path, "--quarantine", quarantine])
            #expect(dry.status == 0, "\(dry.stdoutText)\(dry.stderrText)")
            #expect(try Self.tree(registry.storageRoot) == before, "a dry run must not change the store")
            let fix = try await EvictorBinary.run([
                "storage", "fix", "--root", registry.storageRoot.path, "--quarantine", quarantine, "--verify-blobs", "--apply",
            ])
            #expect(fix.status == 0, "\(fix.stdoutText)\(fix.stderrText)")
            #expect(fix.stderrText.contains("stopped or in read-only mode"))
            #expect(fix.stdoutText.contains("_manifests/tags/bitrot"), "\(fix.stdoutText)")

            let rescan = try await EvictorBinary.run([
                "storage", "scan", "--root", registry.storageRoot.path, "--report-dir", work.appendingPathComponent("report2").path,
            ])
            // Left: repositories without tags (team/lonely, and those whose only tags were broken).
            #expect(rescan.stdoutText.contains(": 3 problems"), "\(rescan.stdoutText)")
            #expect(rescan.stdoutText.split(separator: "\n").filter { $0.hasPrefix("no-tags") }.count == 3, "\(rescan.stdoutText)")
            try await registry.restart()
            let check = try await EvictorBinary.run(["check", registry.url, "--all", "--report-dir", work.appendingPathComponent("check").path])
            #expect(check.stdoutText.contains(", 3 problems (no-tags: 3)"), "\(check.stdoutText)\(check.stderrText)")
            let listed = try await EvictorBinary.run(["ls", registry.url])
            let tags = listed.stdoutText.split(separator: "\n").map(String.init)
            #expect(tags.sorted() == ["team/app:cur", "team/app:v1"], "\(tags)")
            for reference in tags { #expect(await Skopeo.canInspect(registry, reference), "\(reference)") }

            registry.suspend()
            let revert = try await EvictorBinary.run(["storage", "revert", "--root", registry.storageRoot.path, "--quarantine", quarantine])
            #expect(revert.status == 0, "\(revert.stdoutText)\(revert.stderrText)")
            let after = try Self.tree(registry.storageRoot)
            let oneSided = Set(after.keys).symmetricDifference(before.keys).sorted().prefix(10)
            let changed = after.filter { before[$0.key] != nil && before[$0.key] != $0.value }.keys.sorted().prefix(10)
            #expect(after == before, "differs: \(oneSided) \(changed)")
            try await registry.restart()
        }
    }

    @Test("rm removes a tag and the manifest only it needed; gc then frees its blobs; the rest still pulls")
    func removeImage() async throws {
        try await RegistryServer.with { registry in
            _ = try await StorageGCTests.populate(registry)
            let root = registry.storageRoot.path
            let dry = try await EvictorBinary.run(["storage", "rm", "--root", root, "--image", "team/app:v1"])
            #expect(dry.status == 0, "\(dry.stderrText)")
            #expect(dry.stdoutText.contains("would remove\trepositories/team/app/_manifests/tags/v1"))
            #expect(await Skopeo.canInspect(registry, "team/app:v1"))
            registry.suspend()
            let rm = try await EvictorBinary.run(["storage", "rm", "--root", root, "--image", "team/app:v1", "--apply"])
            #expect(rm.status == 0, "\(rm.stdoutText)\(rm.stderrText)")
            let gc = try await EvictorBinary.run(["storage", "gc", "--root", root, "--apply"])
            #expect(gc.status == 0, "\(gc.stderrText)")
            let whole = try await EvictorBinary.run(["storage", "rm", "--root", root, "--image", "team/multi", "--apply"])
            #expect(whole.status == 0, "\(whole.stderrText)")
            let missing = try await EvictorBinary.run(["storage", "rm", "--root", root, "--image", "team/nope:v1"])
            #expect(missing.status != 0)
            #expect(missing.stderrText.contains("team/nope"), "\(missing.stderrText)")
            try await registry.restart()
            let listed = try await EvictorBinary.run(["ls", registry.url])
            #expect(listed.stdoutText.split(separator: "\n").sorted() == ["team/app:cur", "team/other:x"], "\(listed.stdoutText)")
            #expect(await Skopeo.canInspect(registry, "team/other:x"))
            #expect(await Skopeo.canInspect(registry, "team/app:cur"))
            let scan = try await EvictorBinary.run([
                "storage", "scan", "--root", root, "--report-dir", registry.workDirectory.appendingPathComponent("r").path,
            ])
            #expect(scan.status == 0, "\(scan.stdoutText)")
        }
    }
}
