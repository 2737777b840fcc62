import EvictorCore
import EvictorTestSupport
import Foundation
import ObjectStorage
import Testing

/// `evictor storage ... --config config.yml` on a registry whose store is an S3 bucket (moto),
/// against the official collector reading the same file and bucket.
@Suite("storage on S3: scan, fix, revert, gc against the official collector")
struct StorageS3Tests {
    static let bucket = "registry"
    static let rootDirectory = "/store"

    /// moto, a bucket, and a registry keeping its store in it.
    static func withS3Registry(_ body: (MotoServer, RegistryServer, S3Client) async throws -> Void) async throws {
        try await MotoServer.with { moto in
            let credentials = AWSCredentials(accessKeyID: MotoServer.accessKey, secretAccessKey: MotoServer.secretKey)
            let client = S3Client(
                try S3Configuration(endpoint: moto.endpoint, bucket: bucket, region: MotoServer.region, credentials: credentials))
            try client.createBucket()
            var options = RegistryOptions()
            options.s3 = S3StorageOptions(endpoint: moto.endpoint, bucket: bucket, rootDirectory: rootDirectory)
            try await RegistryServer.with(options) { registry in try await body(moto, registry, client) }
        }
    }

    static func evictor(_ registry: RegistryServer, _ arguments: [String]) async throws -> ProcessResult {
        let result = try await EvictorBinary.run(["storage"] + arguments + ["--config", registry.configFile.path])
        #expect(!(result.stdoutText + result.stderrText).contains(MotoServer.secretKey), "the secret key was printed")
        return result
    }

    static func gc(_ registry: RegistryServer, _ extra: [String]) async throws -> (status: Int32, blobs: Set<String>, stderr: String) {
        let result = try await evictor(registry, ["gc", "--output", "json"] + extra)
        let report = (try? JSONSerialization.jsonObject(with: Data(result.stdoutText.utf8))) as? [String: Any] ?? [:]
        return (result.status, Set(report["blobs"] as? [String] ?? []), result.stderrText)
    }

    /// Every object under the store's root with its bytes.
    static func snapshot(_ client: S3Client) throws -> [String: [UInt8]] {
        var objects: [String: [UInt8]] = [:]
        for object in try client.list(prefix: "store/").objects { objects[object.key] = try client.get(object.key) }
        return objects
    }

    @Test("gc --dry-run deletes exactly what the official collector would; after --apply and a restart every tag and platform pulls")
    func gcMatchesOfficial() async throws {
        try await Self.withS3Registry { _, registry, _ in
            let (index, overwritten) = try await StorageGCTests.populate(registry)
            let official = try await StorageGCTests.officialDryRun(registry, deleteUntagged: false)
            #expect(official.status == 0, "\(official.output)")
            let ours = try await Self.gc(registry, ["--dry-run"])
            #expect(ours.status == 0, "\(ours.stderr)")
            #expect(!ours.blobs.isEmpty)
            #expect(
                ours.blobs == official.blobs,
                "official only: \(official.blobs.subtracting(ours.blobs)), ours only: \(ours.blobs.subtracting(official.blobs))")

            let officialUntagged = try await StorageGCTests.officialDryRun(registry, deleteUntagged: true)
            let oursUntagged = try await Self.gc(registry, ["--dry-run", "--delete-untagged"])
            let childBlobs = Set(index.children.flatMap { $0.layerDigests + [$0.configDigest].compactMap { $0 } })
            #expect(oursUntagged.blobs == officialUntagged.blobs.subtracting(childBlobs))
            #expect(oursUntagged.blobs.contains(overwritten.digest))

            let run = try await Self.gc(registry, ["--delete-untagged", "--apply"])
            #expect(run.status == 0, "\(run.stderr)")
            try await registry.restart()
            for reference in ["team/app:v1", "team/app:cur", "team/other:x", "team/multi:multi"] {
                #expect(await Skopeo.canInspect(registry, reference), "\(reference)")
            }
            let copy = try await ProcessRunner.run(
                "skopeo",
                [
                    "--insecure-policy", "copy", "--all", "--src-tls-verify=false",
                    "docker://\(registry.hostPort)/team/multi:multi", "dir:\(registry.workDirectory.path)/pulled",
                ], timeout: .seconds(60))
            #expect(copy.status == 0, "\(copy.stderrText)")
            #expect(await !Skopeo.canInspect(registry, "team/app@\(overwritten.digest)"))
            let again = try await Self.gc(registry, ["--dry-run", "--delete-untagged"])
            #expect(again.status == 0 && again.blobs.isEmpty, "\(again.blobs)")
        }
    }

    @Test("scan finds objects deleted from the bucket; fix --apply and revert round-trip the bucket byte for byte")
    func scanFixRevert() async throws {
        try await Self.withS3Registry { _, registry, client in
            let (index, _) = try await StorageGCTests.populate(registry)
            let v2 = "store/docker/registry/v2"
            let layer = index.children[0].layerDigests[0]
            let layerHex = String(layer.dropFirst("sha256:".count))
            try client.delete("\(v2)/blobs/sha256/\(layerHex.prefix(2))/\(layerHex)/data")
            try client.delete("\(v2)/repositories/team/app/_manifests/tags/v1/current/link")
            let damaged = try Self.snapshot(client)

            let reports = registry.workDirectory.appendingPathComponent("reports").path
            let scan = try await Self.evictor(registry, ["scan", "--output", "json", "--report-dir", reports])
            #expect(scan.status == 1, "\(scan.stderrText)")
            let report = (try? JSONSerialization.jsonObject(with: Data(scan.stdoutText.utf8))) as? [String: Any] ?? [:]
            let findings = report["findings"] as? [[String: Any]] ?? []
            #expect(findings.contains { $0["problem"] as? String == "tag-link-broken" && $0["tag"] as? String == "v1" }, "\(findings)")
            #expect(findings.contains { $0["problem"] as? String == "reference-missing" && $0["repository"] as? String == "team/multi" })

            let fix = try await Self.evictor(registry, ["fix", "--quarantine", "quarantine", "--apply"])
            #expect(fix.status == 0, "\(fix.stderrText)")
            #expect(fix.stdoutText.contains("quarantined"), "\(fix.stdoutText)")
            let rescan = try await Self.evictor(registry, ["scan", "--output", "json", "--report-dir", reports + "-2"])
            // What is left is what fixing leaves on disk too: team/multi lost its only (unpullable) tag.
            let left = (try? JSONSerialization.jsonObject(with: Data(rescan.stdoutText.utf8))) as? [String: Any] ?? [:]
            let problems = (left["findings"] as? [[String: Any]] ?? []).map { "\($0["problem"] ?? "")\t\($0["repository"] ?? "")" }
            #expect(problems == ["no-tags\tteam/multi"], "\(problems)")
            #expect(try !client.list(prefix: "quarantine/").objects.isEmpty)

            let revert = try await Self.evictor(registry, ["revert", "--quarantine", "quarantine"])
            #expect(revert.status == 0, "\(revert.stdoutText) \(revert.stderrText)")
            let reverted = try Self.snapshot(client)
            #expect(reverted.keys.sorted() == damaged.keys.sorted())
            #expect(reverted == damaged)
        }
    }

    @Test("plan and run with evictor.yaml's storage.config naming the S3-backed registry's config find its untagged manifests")
    func planReadsS3Store() async throws {
        try await Self.withS3Registry { _, registry, _ in
            let (_, overwritten) = try await StorageGCTests.populate(registry)
            let config = registry.workDirectory.appendingPathComponent("evictor.yaml")
            try """
            version: 1
            registries:
              - name: main
                url: \(registry.url)
                policies:
                  - policy: untagged
                storage:
                  config: \(registry.configFile.path)
            state:
              directory: \(registry.workDirectory.appendingPathComponent("state").path)
            """.write(to: config, atomically: true, encoding: .utf8)
            let plan = try await EvictorBinary.run(["plan", "--config", config.path, "main", "--output", "json"])
            #expect(plan.status == 0, "\(plan.stderrText)")
            #expect(plan.stdoutText.contains("\(overwritten.digest)"), "\(plan.stdoutText)")
            let run = try await EvictorBinary.run(["run", "--config", config.path])
            #expect(run.status == 0, "\(run.stdoutText) \(run.stderrText)")
            #expect(run.stdoutText.contains("team/app@\(overwritten.digest)"), "\(run.stdoutText)")
            #expect(!(plan.stdoutText + plan.stderrText + run.stdoutText + run.stderrText).contains(MotoServer.secretKey))
        }
    }

    @Test("the endpoint gone part way: gc fails with one line naming it, deletes nothing, prints no secret")
    func endpointGone() async throws {
        try await Self.withS3Registry { moto, registry, _ in
            _ = try await StorageGCTests.populate(registry)
            registry.suspend()
            moto.stop()
            let started = ContinuousClock.now
            let run = try await Self.gc(registry, ["--apply"])
            #expect(run.status != 0)
            #expect(run.stderr.contains(moto.endpoint), "\(run.stderr)")
            #expect(run.blobs.isEmpty)
            #expect(ContinuousClock.now - started < .seconds(60))
        }
    }
}
