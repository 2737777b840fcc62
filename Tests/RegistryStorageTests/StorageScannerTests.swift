import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryStorage
import Testing

/// One damage at a time on an otherwise healthy store; every finding is compared whole.
@Suite("StorageScanner: one finding kind at a time")
struct StorageScannerTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A healthy store: `team/app:v1` (one image) and `team/multi:multi` (an index of two images).
    struct Healthy {
        let store: StoreFixture
        let app: BuiltManifest
        let amd: BuiltManifest
        let arm: BuiltManifest
        let index: String

        init() throws {
            store = try StoreFixture()
            app = try store.image("team/app", tags: ["v1"], seed: "scan-app")
            amd = try store.image("team/multi", tags: [], seed: "scan-amd")
            arm = try store.image("team/multi", tags: [], seed: "scan-arm", platform: .linuxArm64)
            index = try store.index("team/multi", tags: ["multi"], children: [amd, arm])
        }

        func scan() throws -> StorageScanner.ScanResult {
            try StorageScanner(layout: store.layout(), uploadAgeHours: 24, now: StorageScannerTests.now).scan()
        }
    }

    static func finding(
        _ problem: StorageProblem, _ repository: String, tag: String? = nil, digest: String? = nil, path: String, detail: String, tags: [String] = []
    ) -> StorageFinding {
        StorageFinding(problem: problem, repository: repository, tag: tag, digest: digest, path: path, detail: detail, tags: tags)
    }

    static func short(_ digest: String) -> String { String(digest.prefix(19)) }

    @Test("a healthy store has no findings, and the counts are exact")
    func clean() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let result = try healthy.scan()
        #expect(result.findings == [])
        #expect(result.repositories == 2)
        #expect(result.tags == 2)
        #expect(result.manifests == 4)
        // app: layer, config, manifest; amd and arm: the same three each; the index.
        #expect(result.blobs == 10)
        // Verifying every blob finds nothing either.
        #expect(try StorageScanner(layout: healthy.store.layout(), verifyBlobs: true, now: Self.now).scan().findings == [])
    }

    @Test("tag-link-broken: a tag whose current/link is garbage")
    func tagLinkBroken() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        try healthy.store.write("team/app", "_manifests/tags/ghost/current/link", "garbage")
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .tagLinkBroken, "team/app", tag: "ghost", path: "repositories/team/app/_manifests/tags/ghost",
                    detail: "current/link is missing or malformed", tags: ["ghost"])
            ])
    }

    @Test("tag-revision-missing: a tag on a digest without a revision link")
    func tagRevisionMissing() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        try healthy.store.remove("repositories/team/app/_manifests/revisions/sha256/\(hex(healthy.app.digest))")
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .tagRevisionMissing, "team/app", tag: "v1", digest: healthy.app.digest, path: "repositories/team/app/_manifests/tags/v1",
                    detail: "no revision link for \(Self.short(healthy.app.digest))", tags: ["v1"])
            ])
    }

    @Test("revision-blob-missing (and tag-blob-missing): a revision whose manifest blob is gone")
    func revisionBlobMissing() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        try healthy.store.remove(blobDirectory(healthy.app.digest))
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .revisionBlobMissing, "team/app", digest: healthy.app.digest,
                    path: "repositories/team/app/_manifests/revisions/sha256/\(hex(healthy.app.digest))",
                    detail: "manifest blob is gone", tags: ["v1"]),
                Self.finding(
                    .tagBlobMissing, "team/app", tag: "v1", digest: healthy.app.digest, path: "repositories/team/app/_manifests/tags/v1",
                    detail: "manifest blob \(Self.short(healthy.app.digest)) is gone", tags: ["v1"]),
            ])
    }

    @Test("revision-link-broken: a revision link naming another digest")
    func revisionLinkBroken() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        try healthy.store.link("team/app", "_manifests/revisions/sha256/\(hex(fakeDigest("c")))/link", healthy.app.digest)
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .revisionLinkBroken, "team/app", path: "repositories/team/app/_manifests/revisions/sha256/\(hex(fakeDigest("c")))",
                    detail: "revision link missing or not naming its directory")
            ])
    }

    @Test("manifest-digest-mismatch: a manifest blob whose bytes do not hash to its digest")
    func manifestDigestMismatch() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let replacement = Data(#"{"schemaVersion":2,"layers":[]}"#.utf8)
        try replacement.write(to: healthy.store.seeder.blobPath(healthy.app.digest))
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .manifestDigestMismatch, "team/app", digest: healthy.app.digest, path: blobDirectory(healthy.app.digest) + "/data",
                    detail: "content hashes to \(Self.short(Sha256.digest(replacement)))", tags: ["v1"])
            ])
    }

    @Test("manifest-unparseable: a revision whose (correctly hashing) blob is not a manifest")
    func manifestUnparseable() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let junk = try healthy.store.seeder.blob(Data("{not json".utf8))
        try healthy.store.link("team/app", "_manifests/revisions/sha256/\(hex(junk))/link", junk)
        let findings = try healthy.scan().findings
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.problem == .manifestUnparseable)
        #expect(finding.repository == "team/app")
        #expect(finding.digest == junk)
        #expect(finding.path == blobDirectory(junk) + "/data")
        #expect(finding.tags == [])
        #expect(!finding.detail.isEmpty)
    }

    @Test("empty-blob: a zero-byte blob data file")
    func emptyBlob() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let empty = fakeDigest("e")
        let url = healthy.store.seeder.blobPath(empty)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data().write(to: url)
        #expect(
            try healthy.scan().findings == [
                Self.finding(.emptyBlob, "", digest: empty, path: blobDirectory(empty) + "/data", detail: "zero-byte blob data")
            ])
    }

    @Test("layer-link-blob-missing: a _layers link to a blob that is not there")
    func layerLinkBlobMissing() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let gone = fakeDigest("a")
        try healthy.store.link("team/app", "_layers/sha256/\(hex(gone))/link", gone)
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .layerLinkBlobMissing, "team/app", digest: gone, path: "repositories/team/app/_layers/sha256/\(hex(gone))",
                    detail: "layer link to a blob that is gone")
            ])
    }

    @Test("reference-missing: an image whose layer is gone (its layer link dangles too)")
    func layerGone() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let layer = try #require(healthy.app.layerDigests.first)
        try healthy.store.remove(blobDirectory(layer))
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .layerLinkBlobMissing, "team/app", digest: layer, path: "repositories/team/app/_layers/sha256/\(hex(layer))",
                    detail: "layer link to a blob that is gone"),
                Self.finding(
                    .referenceMissing, "team/app", digest: healthy.app.digest,
                    path: "repositories/team/app/_manifests/revisions/sha256/\(hex(healthy.app.digest))",
                    detail: "cannot be pulled: missing blob \(Self.short(layer))", tags: ["v1"]),
            ])
    }

    @Test("reference-missing: an image whose config is gone")
    func configGone() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let config = try #require(healthy.app.configDigest)
        try healthy.store.remove(blobDirectory(config))
        try healthy.store.remove("repositories/team/app/_layers/sha256/\(hex(config))")
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .referenceMissing, "team/app", digest: healthy.app.digest,
                    path: "repositories/team/app/_manifests/revisions/sha256/\(hex(healthy.app.digest))",
                    detail: "cannot be pulled: missing blob \(Self.short(config))", tags: ["v1"])
            ])
    }

    @Test("reference-missing: an index whose child is gone from the repository")
    func childGone() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        try healthy.store.remove("repositories/team/multi/_manifests/revisions/sha256/\(hex(healthy.arm.digest))")
        #expect(
            try healthy.scan().findings == [
                Self.finding(
                    .referenceMissing, "team/multi", digest: healthy.index,
                    path: "repositories/team/multi/_manifests/revisions/sha256/\(hex(healthy.index))",
                    detail: "cannot be pulled: missing child manifest \(Self.short(healthy.arm.digest))", tags: ["multi"])
            ])
    }

    @Test("reference-missing: an index is as unpullable as a child that lost its layer")
    func childLayerGone() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let layer = try #require(healthy.arm.layerDigests.first)
        try healthy.store.remove(blobDirectory(layer))
        try healthy.store.remove("repositories/team/multi/_layers/sha256/\(hex(layer))")
        let revisions = "repositories/team/multi/_manifests/revisions/sha256"
        let expected = [
            Self.finding(
                .referenceMissing, "team/multi", digest: healthy.arm.digest, path: "\(revisions)/\(hex(healthy.arm.digest))",
                detail: "cannot be pulled: missing blob \(Self.short(layer))", tags: ["multi"]),
            Self.finding(
                .referenceMissing, "team/multi", digest: healthy.index, path: "\(revisions)/\(hex(healthy.index))",
                detail: "cannot be pulled: child manifest \(Self.short(healthy.arm.digest)) cannot be pulled", tags: ["multi"]),
        ].sorted { $0.digest! < $1.digest! }
        #expect(try healthy.scan().findings == expected)
    }

    @Test("no-tags: a repository whose tags are all gone")
    func noTags() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        try healthy.store.remove("repositories/team/app/_manifests/tags")
        #expect(
            try healthy.scan().findings == [
                Self.finding(.noTags, "team/app", path: "repositories/team/app", detail: "repository has no tags (1 untagged manifests)")
            ])
    }

    @Test("stale-upload: an upload older than the limit, or without a start time; a recent one is not reported")
    func staleUpload() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        try healthy.store.write("team/app", "_uploads/old/startedat", Timestamp.format(Self.now.addingTimeInterval(-48 * 3600)))
        try healthy.store.write("team/app", "_uploads/recent/startedat", Timestamp.format(Self.now.addingTimeInterval(-23 * 3600)))
        try healthy.store.write("team/app", "_uploads/unknown/data", "partial")
        #expect(
            try healthy.scan().findings == [
                Self.finding(.staleUpload, "team/app", path: "repositories/team/app/_uploads/old", detail: "started 48 hours ago"),
                Self.finding(.staleUpload, "team/app", path: "repositories/team/app/_uploads/unknown", detail: "no start time"),
            ])
        // With a one-hour limit the recent one is stale too.
        let strict = try StorageScanner(layout: healthy.store.layout(), uploadAgeHours: 1, now: Self.now).scan()
        #expect(strict.findings.map(\.path) == ["old", "recent", "unknown"].map { "repositories/team/app/_uploads/\($0)" })
    }

    @Test("blob-digest-mismatch: only with verifyBlobs, a layer whose bytes rotted")
    func blobDigestMismatch() throws {
        let healthy = try Healthy()
        defer { healthy.store.cleanup() }
        let layer = try #require(healthy.app.layerDigests.first)
        let url = healthy.store.seeder.blobPath(layer)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: url)
        #expect(try healthy.scan().findings == [])
        let verified = try StorageScanner(layout: healthy.store.layout(), verifyBlobs: true, now: Self.now).scan()
        #expect(
            verified.findings == [
                Self.finding(
                    .blobDigestMismatch, "", digest: layer, path: blobDirectory(layer) + "/data",
                    detail: "content hashes to \(Self.short(Sha256.digest(bytes)))")
            ])
    }
}

extension Timestamp {
    /// RFC 3339 in UTC, as Distribution writes `startedat`.
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
