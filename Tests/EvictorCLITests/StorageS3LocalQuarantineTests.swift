import EvictorTestSupport
import Foundation
import ObjectStorage
import Testing

/// `storage fix|rm|revert --quarantine-dir DIR` on a registry whose store is an S3 bucket: the
/// quarantine (files and record) on local disk, the bucket left with nothing of it.
@Suite("storage on S3 with the quarantine in a local directory")
struct StorageS3LocalQuarantineTests {
    /// The quarantined paths a command printed (`quarantined\tPATH\t...`).
    static func quarantined(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t")
            return fields.count >= 2 && fields[0] == "quarantined" ? String(fields[1]) : nil
        }
    }

    /// Whether `path` (relative to `v2`) has anything in the bucket.
    static func inBucket(_ client: S3Client, _ path: String) throws -> Bool {
        let key = "store/docker/registry/v2/\(path)"
        return try client.head(key) != nil || !client.list(prefix: key + "/").objects.isEmpty
    }

    @Test("fix --quarantine-dir --apply: the objects leave the bucket for files on disk; revert restores the bucket byte for byte")
    func fixAndRevert() async throws {
        try await StorageS3Tests.withS3Registry { _, registry, client in
            let (index, _) = try await StorageGCTests.populate(registry)
            let v2 = "store/docker/registry/v2"
            let layerHex = String(index.children[0].layerDigests[0].dropFirst("sha256:".count))
            try client.delete("\(v2)/blobs/sha256/\(layerHex.prefix(2))/\(layerHex)/data")
            try client.delete("\(v2)/repositories/team/app/_manifests/tags/v1/current/link")
            let damaged = try StorageS3Tests.snapshot(client)
            let directory = registry.workDirectory.appendingPathComponent("local quarantine").path

            let fix = try await StorageS3Tests.evictor(registry, ["fix", "--quarantine-dir", directory, "--apply"])
            #expect(fix.status == 0, "\(fix.stderrText)")
            #expect(fix.stdoutText.contains("--quarantine-dir \(directory)"), "the undo hint names the flag: \(fix.stdoutText)")
            let paths = Self.quarantined(fix.stdoutText)
            #expect(!paths.isEmpty, "\(fix.stdoutText)")
            let sessions = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(sessions.count == 1, "\(sessions)")
            let session = "\(directory)/\(sessions.first ?? "")"
            #expect(FileManager.default.fileExists(atPath: "\(session)/moves.jsonl"), "the record is on disk")
            for path in paths {
                #expect(try !Self.inBucket(client, path), "\(path) is still in the bucket")
                #expect(FileManager.default.fileExists(atPath: "\(session)/files/\(path)"), "\(path) is not on disk")
            }
            let keys = try client.list(prefix: "").objects.map(\.key)
            #expect(keys.allSatisfy { $0.hasPrefix("store/") }, "the quarantine wrote into the bucket: \(keys.filter { !$0.hasPrefix("store/") })")
            let rescan = try await StorageS3Tests.evictor(
                registry, ["scan", "--output", "json", "--report-dir", registry.workDirectory.appendingPathComponent("r").path])
            let left = (try? JSONSerialization.jsonObject(with: Data(rescan.stdoutText.utf8))) as? [String: Any] ?? [:]
            let problems = (left["findings"] as? [[String: Any]] ?? []).map { "\($0["problem"] ?? "")\t\($0["repository"] ?? "")" }
            #expect(problems == ["no-tags\tteam/multi"], "\(problems)")

            // The other flag names another place: nothing to revert there.
            let wrong = try await StorageS3Tests.evictor(registry, ["revert", "--quarantine", directory])
            #expect(wrong.stdoutText.contains("restored 0 paths"), "\(wrong.stdoutText)\(wrong.stderrText)")
            let revert = try await StorageS3Tests.evictor(registry, ["revert", "--quarantine-dir", directory])
            #expect(revert.status == 0, "\(revert.stdoutText) \(revert.stderrText)")
            #expect(revert.stdoutText.contains("restored \(paths.count) paths"), "\(revert.stdoutText)")
            #expect(try StorageS3Tests.snapshot(client) == damaged)
            #expect(FileManager.default.fileExists(atPath: "\(session)/moves.reverted.jsonl"))
        }
    }

    @Test("rm --quarantine-dir --apply, then revert: the tag is gone from the bucket, then back byte for byte and pulls again")
    func rmAndRevert() async throws {
        try await StorageS3Tests.withS3Registry { _, registry, client in
            _ = try await StorageGCTests.populate(registry)
            let before = try StorageS3Tests.snapshot(client)
            let directory = registry.workDirectory.appendingPathComponent("rm-quarantine").path
            let both = try await StorageS3Tests.evictor(
                registry, ["rm", "--image", "team/app:v1", "--quarantine", "q", "--quarantine-dir", directory])
            #expect(both.status == 64, "both flags must be refused: \(both.stdoutText)\(both.stderrText)")

            let rm = try await StorageS3Tests.evictor(registry, ["rm", "--image", "team/app:v1", "--quarantine-dir", directory, "--apply"])
            #expect(rm.status == 0, "\(rm.stdoutText)\(rm.stderrText)")
            #expect(rm.stdoutText.contains("undo with: evictor storage revert --config"), "\(rm.stdoutText)")
            #expect(try !Self.inBucket(client, "repositories/team/app/_manifests/tags/v1"))
            let sessions = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(FileManager.default.fileExists(atPath: "\(directory)/\(sessions.first ?? "")/files/repositories/team/app/_manifests/tags/v1"))
            try await registry.restart()
            #expect(await !Skopeo.canInspect(registry, "team/app:v1"))

            let revert = try await StorageS3Tests.evictor(registry, ["revert", "--quarantine-dir", directory])
            #expect(revert.status == 0, "\(revert.stdoutText)\(revert.stderrText)")
            #expect(try StorageS3Tests.snapshot(client) == before)
            try await registry.restart()
            #expect(await Skopeo.canInspect(registry, "team/app:v1"))
        }
    }
}
