import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// `evictor storage gc` against the official `docker-registry garbage-collect` on the same store.
@Suite("storage gc against the official collector")
struct StorageGCTests {
    /// Blobs (and manifests) the official collector's dry run would delete.
    static func officialDryRun(_ registry: RegistryServer, deleteUntagged: Bool) async throws -> (status: Int32, blobs: Set<String>, output: String) {
        var arguments = ["garbage-collect", "--dry-run"]
        if deleteUntagged { arguments.append("--delete-untagged") }
        arguments.append(registry.configFile.path)
        let result = try await ProcessRunner.run("docker-registry", arguments, timeout: .seconds(120))
        let text = result.stdoutText + result.stderrText
        var blobs: Set<String> = []
        for line in text.split(separator: "\n") where line.contains("blob eligible for deletion: ") {
            if let range = line.range(of: "sha256:") { blobs.insert(String(line[range.lowerBound...].prefix(71))) }
        }
        return (result.status, blobs, text)
    }

    static func ours(_ registry: RegistryServer, _ extra: [String]) async throws -> (status: Int32, report: [String: Any], stderr: String) {
        let result = try await EvictorBinary.run(["storage", "gc", "--root", registry.storageRoot.path, "--output", "json"] + extra)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.stdoutText.utf8)) as? [String: Any]) ?? [:]
        return (result.status, report ?? [:], result.stderrText)
    }

    /// A store with shared layers, a multi-arch index, an overwritten tag and a deleted manifest.
    static func populate(_ registry: RegistryServer) async throws -> (index: BuiltManifest, overwritten: BuiltManifest) {
        let layout = try OCILayoutBuilder.temporary()
        defer { layout.remove() }
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        _ = try layout.addImage(tag: "v1", TestImageSpec(created: created, layerSeed: "gc-v1", sharedLayerSeeds: ["gc-base"]))
        try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "team/app")
        let doomed = try layout.addImage(tag: "v2", TestImageSpec(created: created, layerSeed: "gc-v2", sharedLayerSeeds: ["gc-base"]))
        try await Skopeo.push(layout: layout, tag: "v2", to: registry, repository: "team/app")
        _ = try layout.addImage(tag: "x", TestImageSpec(created: created, layerSeed: "gc-x", sharedLayerSeeds: ["gc-base"]))
        try await Skopeo.push(layout: layout, tag: "x", to: registry, repository: "team/other")
        let index = try layout.addIndex(
            tag: "multi",
            [
                TestImageSpec(created: created, layerSeed: "gc-amd64", platform: .linuxAmd64),
                TestImageSpec(created: created, layerSeed: "gc-arm64", platform: .linuxArm64),
            ])
        try await Skopeo.push(layout: layout, tag: "multi", to: registry, repository: "team/multi")
        let overwritten = try layout.addImage(tag: "cur-old", TestImageSpec(created: created, layerSeed: "gc-cur-old"))
        try await Skopeo.push(layout: layout, tag: "cur-old", to: registry, repository: "team/app", destinationTag: "cur")
        _ = try layout.addImage(tag: "cur-new", TestImageSpec(created: created, layerSeed: "gc-cur-new"))
        try await Skopeo.push(layout: layout, tag: "cur-new", to: registry, repository: "team/app", destinationTag: "cur")
        // Delete v2 through the API: its own layer and config become garbage, the shared base does not.
        let deleted = try await ProcessRunner.run(
            "curl", ["-fsS", "-X", "DELETE", "\(registry.url)/v2/team/app/manifests/\(doomed.digest)"], timeout: .seconds(30))
        #expect(deleted.status == 0, "\(deleted.stderrText)")
        return (index, overwritten)
    }

    @Test("on a healthy store the dry run lists exactly the official collector's blobs; --delete-untagged keeps multi-arch images pullable")
    func matchesOfficial() async throws {
        try await RegistryServer.with { registry in
            let (index, overwritten) = try await Self.populate(registry)
            let official = try await Self.officialDryRun(registry, deleteUntagged: false)
            #expect(official.status == 0, "\(official.output)")
            let ours = try await Self.ours(registry, ["--dry-run"])
            #expect(ours.status == 0, "\(ours.stderr)")
            let ourBlobs = Set(ours.report["blobs"] as? [String] ?? [])
            #expect(!ourBlobs.isEmpty)
            #expect(
                ourBlobs == official.blobs,
                "official only: \(official.blobs.subtracting(ourBlobs)), ours only: \(ourBlobs.subtracting(official.blobs))")

            // With untagged deletion the official one also drops the index's children (#3178); ours
            // differs exactly by those children and their layers.
            let officialUntagged = try await Self.officialDryRun(registry, deleteUntagged: true)
            let oursUntagged = try await Self.ours(registry, ["--dry-run", "--delete-untagged"])
            let childBlobs = Set(index.children.flatMap { $0.layerDigests + [$0.configDigest].compactMap { $0 } })
            let ourUntaggedBlobs = Set(oursUntagged.report["blobs"] as? [String] ?? [])
            #expect(officialUntagged.blobs.isSuperset(of: childBlobs))
            #expect(ourUntaggedBlobs.isDisjoint(with: childBlobs))
            #expect(ourUntaggedBlobs == officialUntagged.blobs.subtracting(childBlobs))
            #expect(ourUntaggedBlobs.contains(overwritten.digest))

            // Really collect, restart, and every tag still pulls, both platforms included.
            let run = try await Self.ours(registry, ["--delete-untagged", "--apply"])
            #expect(run.status == 0, "\(run.stderr)")
            try await registry.restart()
            for reference in ["team/app:v1", "team/app:cur", "team/other:x", "team/multi:multi"] {
                #expect(await Skopeo.canInspect(registry, reference), "\(reference)")
            }
            for child in index.children {
                #expect(await Skopeo.canInspect(registry, "team/multi@\(child.digest)"))
            }
            let copy = try await ProcessRunner.run(
                "skopeo",
                [
                    "--insecure-policy", "copy", "--all", "--src-tls-verify=false",
                    "docker://\(registry.hostPort)/team/multi:multi", "dir:\(registry.workDirectory.path)/pulled",
                ], timeout: .seconds(60))
            #expect(copy.status == 0, "\(copy.stderrText)")
            #expect(await !Skopeo.canInspect(registry, "team/app@\(overwritten.digest)"))
            let again = try await Self.ours(registry, ["--dry-run", "--delete-untagged"])
            #expect((again.report["blobs"] as? [String])?.isEmpty == true)
        }
    }

    @Test("a corrupt manifest aborts the official collector; ours completes, reports it and keeps what it may need")
    func damagedStore() async throws {
        try await RegistryServer.with { registry in
            _ = try await Self.populate(registry)
            let store = StorageSeeder(root: registry.storageRoot)
            // Corrupt team/other:x's manifest blob (not JSON any more).
            let link = try String(contentsOf: store.repositoryPath("team/other", "_manifests/tags/x/current/link"), encoding: .utf8)
            try Data("{not json".utf8).write(to: store.blobPath(link))
            let official = try await Self.officialDryRun(registry, deleteUntagged: false)
            #expect(official.status != 0, "the official collector should abort: \(official.output)")
            let ours = try await Self.ours(registry, ["--dry-run"])
            #expect(ours.status == 0, "\(ours.stderr)")
            #expect((ours.report["problems"] as? [String])?.contains { $0.contains("team/other@\(link)") } == true, "\(ours.report)")
            #expect(!(ours.report["kept_for_damaged"] as? [String] ?? []).isEmpty)
            #expect(!(ours.report["blobs"] as? [String] ?? []).isEmpty)
        }
    }
}
