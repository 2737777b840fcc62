import EvictorTestSupport
import Foundation
import ObjectStorage
import Synchronization
import Testing

/// `storage rm` on S3, and `storage fix --apply` on S3 killed part way then run again and
/// reverted, as on disk.
@Suite("storage on S3: rm, and fix killed part way")
struct StorageS3RecoveryTests {
    @Test("rm --image REPO:TAG --apply, then rm --image REPO --apply: after a restart those are gone and every other tag pulls")
    func rmOnS3() async throws {
        try await StorageS3Tests.withS3Registry { _, registry, client in
            _ = try await StorageGCTests.populate(registry)
            let dry = try await StorageS3Tests.evictor(registry, ["rm", "--image", "team/app:v1"])
            #expect(dry.status == 0 && dry.stdoutText.contains("would remove"), "\(dry.stdoutText)\(dry.stderrText)")
            let before = try client.list(prefix: "store/").objects.count
            let tag = try await StorageS3Tests.evictor(registry, ["rm", "--image", "team/app:v1", "--apply"])
            #expect(tag.status == 0, "\(tag.stdoutText)\(tag.stderrText)")
            #expect(try client.list(prefix: "store/").objects.count < before)
            let repository = try await StorageS3Tests.evictor(registry, ["rm", "--image", "team/other", "--apply"])
            #expect(repository.status == 0, "\(repository.stdoutText)\(repository.stderrText)")
            #expect(try client.list(prefix: "store/docker/registry/v2/repositories/team/other/").objects.isEmpty)

            try await registry.restart()
            #expect(await !Skopeo.canInspect(registry, "team/app:v1"))
            #expect(await !Skopeo.canInspect(registry, "team/other:x"))
            for reference in ["team/app:cur", "team/multi:multi"] {
                #expect(await Skopeo.canInspect(registry, reference), "\(reference)")
            }
            let copy = try await ProcessRunner.run(
                "skopeo",
                [
                    "--insecure-policy", "copy", "--all", "--src-tls-verify=false",
                    "docker://\(registry.hostPort)/team/multi:multi", "dir:\(registry.workDirectory.path)/pulled",
                ], timeout: .seconds(60))
            #expect(copy.status == 0, "\(copy.stderrText)")
            // What rm left behind is garbage gc finds, and nothing else breaks.
            let scan = try await StorageS3Tests.evictor(registry, ["scan", "--report-dir", registry.workDirectory.appendingPathComponent("r").path])
            #expect(scan.status == 0, "\(scan.stdoutText)\(scan.stderrText)")
        }
    }

    @Test(
        "fix --apply killed at random points, run again until done: the damage is gone; revert restores the exact damaged bucket",
        arguments: [false, true])
    func killedFix(quarantineOnLocalDisk: Bool) async throws {
        try await MotoServer.with { moto in
            let credentials = AWSCredentials(accessKeyID: MotoServer.accessKey, secretAccessKey: MotoServer.secretKey)
            let client = S3Client(try S3Configuration(endpoint: moto.endpoint, bucket: "crash", region: MotoServer.region, credentials: credentials))
            try client.createBucket()
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            // One healthy image, then 60 tags on revisions that do not exist: each one a move
            // (record, copy, delete) for the broken-tags fixer.
            let seeder = StorageSeeder(root: work.appendingPathComponent("store"))
            try seeder.image(
                repository: "big/app", tags: ["good"], spec: TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: "s3-crash")
            )
            let local = work.appendingPathComponent("store").path
            for case let path as String in FileManager.default.enumerator(atPath: local)?.allObjects ?? [] {
                guard let bytes = FileManager.default.contents(atPath: "\(local)/\(path)") else { continue }
                if !FileManager.default.fileExists(atPath: "\(local)/\(path)/.") { try client.put("store/\(path)", Array(bytes)) }
            }
            let tags = "store/docker/registry/v2/repositories/big/app/_manifests/tags/"
            for number in 0..<60 {
                try client.put("\(tags)broken-\(number)/current/link", Array(Sha256.digest(Data("missing \(number)".utf8)).utf8))
            }
            var options = S3StorageOptions(endpoint: moto.endpoint, bucket: "crash", rootDirectory: "/store")
            options.accessKey = MotoServer.accessKey
            let config = work.appendingPathComponent("config.yml")
            try Data("version: 0.1\nstorage:\n\(options.yaml)".utf8).write(to: config)
            let damaged = try StorageS3Tests.snapshot(client)
            let storage = { (arguments: [String]) in ["storage"] + arguments + ["--config", config.path] }
            // In the bucket (copies, then deletes) or on this machine's disk (streamed downloads, then deletes).
            let quarantine =
                quarantineOnLocalDisk ? ["--quarantine-dir", work.appendingPathComponent("quarantine").path] : ["--quarantine", "quarantine"]

            var random = SplitMix64(seed: CrashConsistencyTests.seed)
            let left = { @Sendable in ((try? client.list(prefix: tags, delimiter: "/").commonPrefixes.count) ?? 0) - 1 }
            var kills: [String] = []
            var finished = false
            for _ in 0..<30 {
                let before = left()
                let stopAt = before - 1 - Int(random.next() % 12)
                // Killed up to 60 ms after that count is reached: in a record append, a copy or a delete.
                let delay = Duration.milliseconds(Int(random.next() % 60))
                let reached = FirstSeen()
                let (fix, killed) = try await EvictorBinary.run(storage(["fix"] + quarantine + ["--apply"])) {
                    left() <= stopAt && ContinuousClock.now - reached.mark() >= delay
                }
                if !killed {
                    #expect(fix.status == 0, "storage fix exited \(fix.status): \(fix.stdoutText)\(fix.stderrText)")
                    finished = true
                    break
                }
                kills.append("\(before - left()) moved, \(left()) broken tags left")
            }
            if quarantineOnLocalDisk { #expect(try client.list(prefix: "quarantine/").objects.isEmpty, "a local quarantine wrote into the bucket") }
            let place = quarantineOnLocalDisk ? "on disk" : "in the bucket"
            print("seed \(CrashConsistencyTests.seed), storage fix on S3 (quarantine \(place)) kills: \(kills.joined(separator: "; "))")
            #expect(finished, "storage fix never finished: \(kills)")
            #expect(kills.count >= 2, "only \(kills.count) kills: \(kills)")

            let scan = try await EvictorBinary.run(storage(["scan", "--report-dir", work.appendingPathComponent("report").path]))
            #expect(scan.status == 0, "\(scan.stdoutText)\(scan.stderrText)")
            #expect(try client.get("\(tags)good/current/link") != nil)

            let revert = try await EvictorBinary.run(storage(["revert"] + quarantine))
            #expect(revert.status == 0, "\(revert.stdoutText)\(revert.stderrText)")
            let reverted = try StorageS3Tests.snapshot(client)
            #expect(reverted.keys.sorted() == damaged.keys.sorted())
            #expect(reverted == damaged)
        }
    }
}

/// The first moment `mark()` was called (thread-safe).
final class FirstSeen: Sendable {
    private let first = Mutex<ContinuousClock.Instant?>(nil)

    func mark() -> ContinuousClock.Instant {
        first.withLock { seen in
            let moment = seen ?? ContinuousClock.now
            seen = moment
            return moment
        }
    }
}
