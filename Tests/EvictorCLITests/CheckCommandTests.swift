import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

@Suite("evictor check against a registry whose storage the test breaks on disk")
struct CheckCommandTests {
    @Test("each kind of damage is found with the right class; healthy tags are not reported")
    func findsDamage() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let created = Date(timeIntervalSince1970: 1_700_000_000)
            var built: [String: BuiltManifest] = [:]
            for name in ["healthy", "layer-gone", "truncated", "no-revision", "dangling", "shared"] {
                built[name] = try layout.addImage(tag: name, TestImageSpec(created: created, layerSeed: "check-\(name)"))
                try await Skopeo.push(layout: layout, tag: name, to: registry, repository: "shop/app")
            }
            let index = try layout.addIndex(
                tag: "multi",
                [
                    TestImageSpec(created: created, layerSeed: "check-amd64", platform: .linuxAmd64),
                    TestImageSpec(created: created, layerSeed: "check-arm64", platform: .linuxArm64),
                ])
            try await Skopeo.push(layout: layout, tag: "multi", to: registry, repository: "shop/multi")
            try await Skopeo.push(layout: layout, tag: "healthy", to: registry, repository: "shop/empty")

            let store = StorageSeeder(root: registry.storageRoot)
            func hex(_ digest: String) -> String { String(digest.dropFirst(7)) }
            // 1. a layer's data removed
            let goneLayer = try #require(built["layer-gone"]?.layerDigests.first)
            try FileManager.default.removeItem(at: store.blobPath(goneLayer))
            // 2. a manifest blob truncated
            let truncated = try #require(built["truncated"])
            try truncated.bytes.prefix(truncated.bytes.count / 2).write(to: store.blobPath(truncated.digest))
            // 3. a revision link removed
            let noRevision = try #require(built["no-revision"])
            try FileManager.default.removeItem(at: store.repositoryPath("shop/app", "_manifests/revisions/sha256/\(hex(noRevision.digest))"))
            // 4. a tag pointing at a blob that does not exist
            let missing = "sha256:" + String(repeating: "ab", count: 32)
            try Data(missing.utf8).write(to: store.repositoryPath("shop/app", "_manifests/tags/dangling/current/link"))
            // 5. an index child's layer removed (the arm64 image)
            let armLayer = try #require(index.children.last?.layerDigests.first)
            try FileManager.default.removeItem(at: store.blobPath(armLayer))
            // 6. a repository left with no tags
            try FileManager.default.removeItem(at: store.repositoryPath("shop/empty", "_manifests/tags"))
            try await registry.restart()

            let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-check-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let inventory = Inventory(images: [
                InventoryImage(
                    reference: try ImageReference(parsing: "registry.example.com/shop/app:layer-gone"), seenAt: ["k8s;prod;shop;Deployment/app"],
                    sources: ["k8s"]),
                InventoryImage(
                    reference: try ImageReference(parsing: "registry.example.com/shop/app:healthy"), seenAt: ["compose;f.yml;app"],
                    sources: ["compose"]),
            ])
            let inventoryPath = work.appendingPathComponent("images.json").path
            try InventoryFile.write(inventory, to: inventoryPath)
            let reports = work.appendingPathComponent("report").path

            let result = try await EvictorBinary.run([
                "check", registry.url, "--all", "--inventory", inventoryPath, "--registry-alias", "registry.example.com", "--report-dir", reports,
            ])
            #expect(result.status == 1, "\(result.stdoutText)\(result.stderrText)")
            let reportData = try Data(contentsOf: URL(fileURLWithPath: reports + "/report.json"))
            let report = try #require(try JSONSerialization.jsonObject(with: reportData) as? [String: Any])
            let findings = try #require(report["findings"] as? [[String: Any]])
            func problems(_ repository: String, _ tag: String) -> [String] {
                findings.filter { $0["repository"] as? String == repository && $0["tag"] as? String == tag }.compactMap { $0["problem"] as? String }
            }
            #expect(problems("shop/app", "healthy").isEmpty)
            #expect(problems("shop/app", "shared").isEmpty)
            #expect(problems("shop/app", "layer-gone") == ["blob-missing"])
            #expect(problems("shop/app", "truncated") == ["corrupt"])
            #expect(problems("shop/app", "no-revision") == ["manifest-unknown"])
            #expect(problems("shop/app", "dangling") == ["manifest-unknown"])
            #expect(problems("shop/multi", "multi") == ["blob-missing"])
            #expect(problems("shop/empty", "") == ["no-tags"])
            #expect(findings.count == 6)
            let layerFinding = try #require(findings.first { $0["tag"] as? String == "layer-gone" })
            #expect((layerFinding["detail"] as? String)?.contains(goneLayer) == true)
            #expect(layerFinding["in_use"] as? Bool == true)
            #expect(layerFinding["used_by"] as? [String] == ["k8s;prod;shop;Deployment/app"])
            #expect(findings.first { $0["tag"] as? String == "dangling" }?["in_use"] as? Bool == false)

            // The CSV parses with a standard reader and agrees with the JSON.
            let parsed = try await ProcessRunner.check(
                "python3",
                [
                    "-c",
                    """
                    import csv, json, sys
                    rows = list(csv.DictReader(open(sys.argv[1], newline='')))
                    print(json.dumps([[r['repository'], r['tag'], r['problem'], r['in_use']] for r in rows]))
                    """, reports + "/report.csv",
                ])
            let rows = try #require(try JSONSerialization.jsonObject(with: parsed.stdout) as? [[String]])
            #expect(rows.count == 6)
            #expect(rows.contains(["shop/app", "layer-gone", "blob-missing", "true"]))
            let permissions = try FileManager.default.attributesOfItem(atPath: reports + "/report.csv")[.posixPermissions] as? Int
            #expect(permissions == 0o600)

            // Default mode: only the inventory's tags.
            let inventoryOnly = try await EvictorBinary.run([
                "check", registry.url, "--inventory", inventoryPath, "--registry-alias", "registry.example.com", "--report-dir", reports + "-inv",
                "--output", "json",
            ])
            #expect(inventoryOnly.status == 1)
            let small = try #require(try JSONSerialization.jsonObject(with: inventoryOnly.stdout) as? [String: Any])
            #expect((small["findings"] as? [[String: Any]])?.count == 1)
            #expect((small["summary"] as? [String: Any])?["tags_checked"] as? Int == 2)
        }
    }

    @Test("a healthy registry exits 0; an unreachable one exits 2 with one error line")
    func exitCodes() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-check-ok-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            try layout.addImage(tag: "v1", TestImageSpec(created: Date(), layerSeed: "ok"))
            try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "fine")
            let result = try await EvictorBinary.run(["check", registry.url, "--all", "--report-dir", work.path])
            #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
            #expect(result.stdoutText.contains("checked 1 tags in 1 repositories"))
            #expect(result.stderrText.isEmpty, "no progress display when stderr is not a terminal")
        }
        let closedPort = try ClosedPort()
        defer { withExtendedLifetime(closedPort) {} }
        let port = closedPort.port
        let down = try await EvictorBinary.run(["check", "http://127.0.0.1:\(port)", "--all", "--report-dir", work.path], timeout: .seconds(120))
        #expect(down.status == 2)
        #expect(down.stderrText.split(separator: "\n").count == 1)
        let noInventory = try await EvictorBinary.run(["check", "http://127.0.0.1:\(port)", "--inventory", "/nonexistent.json"])
        #expect(noInventory.status == 2)
        #expect(noInventory.stderrText.contains("/nonexistent.json: cannot read"))
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let broken = work.appendingPathComponent("images.json")
        try Data("{\"format\": \"evictor-inventory\", \"version\": 1, \"images\": [".utf8).write(to: broken)
        let badInventory = try await EvictorBinary.run(["check", "http://127.0.0.1:\(port)", "--inventory", broken.path])
        #expect(badInventory.status == 2)
        #expect(badInventory.stderrText.split(separator: "\n").count == 1)
        #expect(badInventory.stderrText.contains("\(broken.path): invalid inventory"))
    }
}
