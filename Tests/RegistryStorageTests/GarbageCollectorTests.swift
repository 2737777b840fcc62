import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryStorage
import Testing

@Suite("GarbageCollector: plan, sweep, stop")
struct GarbageCollectorTests {
    /// `team/app:v1` pushed twice (the first image is left untagged, still in the tag's index),
    /// `team/multi:multi` an index of two untagged images, and an orphan blob with a layer link.
    struct Store {
        let store: StoreFixture
        let old: BuiltManifest
        let new: BuiltManifest
        let amd: BuiltManifest
        let arm: BuiltManifest
        let index: String
        let orphan: String

        init() throws {
            store = try StoreFixture()
            old = try store.image("team/app", tags: ["v1"], seed: "gc-old")
            new = try store.image("team/app", tags: ["v1"], seed: "gc-new")
            amd = try store.image("team/multi", tags: [], seed: "gc-amd")
            arm = try store.image("team/multi", tags: [], seed: "gc-arm", platform: .linuxArm64)
            index = try store.index("team/multi", tags: ["multi"], children: [amd, arm])
            orphan = try store.seeder.blob(Data("orphan".utf8))
            try store.link("team/app", "_layers/sha256/\(hex(orphan))/link", orphan)
        }

        func collector(deleteUntagged: Bool = false, sweepDamaged: Bool = false) throws -> GarbageCollector {
            try GarbageCollector(layout: store.layout(), options: .init(deleteUntagged: deleteUntagged, sweepDamaged: sweepDamaged))
        }

        /// The blobs of an image: manifest, config, layers.
        static func blobs(_ image: BuiltManifest) -> [String] {
            [image.digest, image.configDigest!] + image.layerDigests
        }
    }

    static func size(_ store: StoreFixture, _ digest: String) throws -> Int64 {
        Int64(try Data(contentsOf: store.seeder.blobPath(digest)).count)
    }

    static func revisions(_ plan: [GarbageCollector.SweepPlan.ManifestRevision]) -> [String] {
        plan.map { "\($0.repository)@\($0.digest)" }
    }

    @Test("without deleteUntagged: every manifest is kept, only the orphan blob and its layer link go")
    func planKeepsUntagged() throws {
        let fixture = try Store()
        defer { fixture.store.cleanup() }
        let plan = try fixture.collector().plan()
        #expect(plan.blobs == [try digest(fixture.orphan): 6])
        #expect(plan.bytes == 6)
        #expect(plan.manifests.isEmpty)
        #expect(Self.revisions(plan.layerLinks) == ["team/app@\(fixture.orphan)"])
        #expect(plan.problems == [])
        #expect(plan.keptForDamaged == [])
    }

    @Test("with deleteUntagged: the overwritten image and its blobs go; the children of a tagged index and their layers stay")
    func planDeletesUntagged() throws {
        let fixture = try Store()
        defer { fixture.store.cleanup() }
        let plan = try fixture.collector(deleteUntagged: true).plan()
        var expected: [Digest: Int64] = [:]
        for blob in Store.blobs(fixture.old) + [fixture.orphan] { expected[try digest(blob)] = try Self.size(fixture.store, blob) }
        #expect(plan.blobs == expected)
        #expect(plan.bytes == expected.values.reduce(0, +))
        #expect(Self.revisions(plan.manifests) == ["team/app@\(fixture.old.digest)"])
        let links = ([fixture.old.configDigest!] + fixture.old.layerDigests + [fixture.orphan]).sorted()
        #expect(Self.revisions(plan.layerLinks) == links.map { "team/app@\($0)" })
        #expect(plan.problems == [])
        // Nothing of team/multi (index, children, their configs and layers) nor of the tagged image.
        let kept = Store.blobs(fixture.new) + Store.blobs(fixture.amd) + Store.blobs(fixture.arm) + [fixture.index]
        for blob in kept { #expect(plan.blobs[try digest(blob)] == nil, "\(blob) would be swept") }
    }

    @Test("sweep removes exactly the plan (blob directories, revision, tag index entry, layer links); a new plan is then empty")
    func sweepRemovesExactlyThePlan() throws {
        let fixture = try Store()
        defer { fixture.store.cleanup() }
        let collector = try fixture.collector(deleteUntagged: true)
        let plan = try collector.plan()
        let before = try fixture.store.tree()

        let (freed, complete) = try collector.sweep(plan)
        #expect(complete)
        #expect(freed == plan.bytes)

        let after = try fixture.store.tree()
        let v2 = "docker/registry/v2"
        var removed: Set<String> = []
        for blob in Store.blobs(fixture.old) + [fixture.orphan] {
            removed.insert("\(v2)/\(blobDirectory(blob))")
            removed.insert("\(v2)/\(blobDirectory(blob))/data")
        }
        let app = "\(v2)/repositories/team/app"
        for directory in [
            "\(app)/_manifests/revisions/sha256/\(hex(fixture.old.digest))", "\(app)/_manifests/tags/v1/index/sha256/\(hex(fixture.old.digest))",
        ]
            + ([fixture.old.configDigest!] + fixture.old.layerDigests + [fixture.orphan]).map({ "\(app)/_layers/sha256/\(hex($0))" })
        {
            removed.insert(directory)
            removed.insert("\(directory)/link")
        }
        #expect(Set(before.keys).subtracting(after.keys) == removed)
        #expect(Set(after.keys).subtracting(before.keys) == [])
        for (path, hash) in after { #expect(before[path] == hash, "\(path) changed") }

        let again = try collector.plan()
        #expect(again.blobs.isEmpty)
        #expect(again.manifests.isEmpty)
        #expect(again.layerLinks.isEmpty)
        let links = try fixture.store.layout().links(of: "team/app")
        #expect(links.tags == ["v1": try digest(fixture.new.digest)])
        #expect(links.revisions == [try digest(fixture.new.digest)])
    }

    @Test("a stop requested before the sweep removes nothing and says incomplete")
    func sweepStopped() throws {
        let fixture = try Store()
        defer { fixture.store.cleanup() }
        let collector = try fixture.collector(deleteUntagged: true)
        let plan = try collector.plan()
        #expect(!plan.manifests.isEmpty && !plan.blobs.isEmpty)
        let before = try fixture.store.tree()
        let stop = StopRequest()
        stop.request(signal: SIGTERM)
        let (freed, complete) = try collector.sweep(plan, stop: stop)
        #expect(freed == 0)
        #expect(!complete)
        #expect(try fixture.store.tree() == before)

        // Blobs only (no manifests, no links): the stop is checked before each blob as well.
        var blobsOnly = plan
        blobsOnly.manifests = []
        blobsOnly.layerLinks = []
        let (blobFreed, blobComplete) = try collector.sweep(blobsOnly, stop: stop)
        #expect(blobFreed == 0)
        #expect(!blobComplete)
        #expect(try fixture.store.tree() == before)
    }

    @Test("a manifest that does not hash is reported; the blobs it may need are kept unless sweepDamaged")
    func damagedManifest() throws {
        let fixture = try Store()
        defer { fixture.store.cleanup() }
        let replacement = Data("garbage".utf8)
        try replacement.write(to: fixture.store.seeder.blobPath(fixture.new.digest))
        let plan = try fixture.collector().plan()
        #expect(
            plan.problems == ["team/app@\(fixture.new.digest): manifest blob hashes to \(String(Sha256.digest(replacement).prefix(19))); skipped"])
        // The damaged manifest's own config and layer, and the orphan (linked in team/app), are kept.
        let atRisk = try ([fixture.new.configDigest!] + fixture.new.layerDigests + [fixture.orphan]).map(digest).sorted()
        #expect(plan.keptForDamaged == atRisk)
        #expect(plan.blobs.isEmpty)

        let swept = try fixture.collector(sweepDamaged: true).plan()
        #expect(swept.keptForDamaged == [])
        #expect(swept.blobs.keys.sorted() == atRisk)
    }
}
