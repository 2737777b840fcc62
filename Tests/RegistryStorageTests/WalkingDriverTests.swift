import EvictorCore
import EvictorTestSupport
import Foundation
import ObjectStorage
import RegistryStorage
import Synchronization
import Testing

/// The local driver seen as an object store sees it: it prefers walks, and (with `etags`) its
/// walks give every file's ETag as S3 does for a single-part object (the MD5 of the content).
/// Counts the reads, to show which ones the ETags spare.
struct WalkingDriver: StorageDriver {
    let local = LocalStorageDriver()
    let etags: Bool
    let reads = Counter()

    final class Counter: Sendable {
        let paths = Mutex<[String]>([])
    }

    var location: String { "walking disk" }
    var parallelism: Int { 4 }
    var prefersWalks: Bool { true }

    func list(_ path: String) throws(StorageError) -> [String] { try local.list(path) }
    func listDirectories(_ path: String) throws(StorageError) -> [String] { try local.listDirectories(path) }
    func walk(_ path: String) throws(StorageError) -> [StoredFile] {
        try local.walk(path).map { file in
            var file = file
            if etags { file.etag = FileSystemReads.bytes("\(path)/\(file.path)").map(ContentETag.of) }
            return file
        }
    }
    func read(_ path: String, limit: Int) throws(StorageError) -> [UInt8]? {
        reads.paths.withLock { $0.append(path) }
        return try local.read(path, limit: limit)
    }
    func size(_ path: String) throws(StorageError) -> Int64? { try local.size(path) }
    func exists(_ path: String) throws(StorageError) -> Bool { try local.exists(path) }
    func isDirectory(_ path: String) throws(StorageError) -> Bool { try local.isDirectory(path) }
    func write(_ path: String, _ bytes: [UInt8]) throws(StorageError) { try local.write(path, bytes) }
    func append(_ bytes: [UInt8], to path: String) throws(StorageError) { try local.append(bytes, to: path) }
    func move(_ source: String, to destination: String) throws(StorageError) { try local.move(source, to: destination) }
    func delete(_ path: String) throws(StorageError) { try local.delete(path) }
    func makeUniqueDirectory(_ base: String) throws(StorageError) -> String { try local.makeUniqueDirectory(base) }
}

enum FileSystemReads {
    static func bytes(_ path: String) -> [UInt8]? { FileManager.default.contents(atPath: path).map { Array($0) } }
}

@Suite("walks: a driver that prefers walks (an object store) reads the same store the same way")
struct WalkingDriverTests {
    /// Every kind of link, good and damaged, in nested repositories, and a store-wide gc fixture.
    static func damagedStore() throws -> StoreFixture {
        let store = try StoreFixture()
        let old = try store.image("team/app", tags: ["v1"], seed: "walk-old")
        let new = try store.image("team/app", tags: ["v1", "stable"], seed: "walk-new")
        let amd = try store.image("team/multi", tags: [], seed: "walk-amd")
        let arm = try store.image("team/multi", tags: [], seed: "walk-arm", platform: .linuxArm64)
        _ = try store.index("team/multi", tags: ["multi"], children: [amd, arm])
        try store.image("team/app/sub", tags: ["x"], seed: "walk-sub")
        try store.image("zeta", tags: ["z"], seed: "walk-zeta")
        try store.link("layers-only", "_layers/sha256/\(hex(fakeDigest("a")))/link", fakeDigest("a"))
        try FileManager.default.createDirectory(at: store.v2.appendingPathComponent("repositories/empty/dir"), withIntermediateDirectories: true)
        // Tags: garbage, pointing at an old image (its index entry names it), without a link.
        try store.write("team/app", "_manifests/tags/garbage/current/link", "not a digest")
        try store.write("team/app", "_manifests/tags/newline/current/link", new.digest + "\n")
        try store.link("team/app", "_manifests/tags/back/current/link", old.digest)
        // A tag on a deleted manifest: only its own index entry names that digest.
        try store.link("team/app", "_manifests/tags/gone/current/link", fakeDigest("9"))
        try store.link("team/app", "_manifests/tags/gone/index/sha256/\(hex(fakeDigest("9")))/link", fakeDigest("9"))
        // (A directory exists in a bucket only with a file below it: this tag keeps its index.)
        try store.link("team/app", "_manifests/tags/nolink/index/sha256/\(hex(new.digest))/link", new.digest)
        // Revisions: naming another digest, garbage, a directory without a link.
        try store.link("team/app", "_manifests/revisions/sha256/\(hex(fakeDigest("c")))/link", fakeDigest("b"))
        try store.write("team/app", "_manifests/revisions/sha256/\(hex(fakeDigest("d")))/link", "sha256:xyz")
        try FileManager.default.createDirectory(
            at: store.seeder.repositoryPath("team/app", "_manifests/revisions/sha256/\(hex(fakeDigest("e")))"), withIntermediateDirectories: true)
        // Layers: a garbage link, one naming another digest; an orphan blob; uploads.
        try store.write("team/app", "_layers/sha256/\(hex(fakeDigest("f")))/link", "garbage")
        try store.link("team/app", "_layers/sha256/\(hex(fakeDigest("1")))/link", fakeDigest("2"))
        let orphan = try store.seeder.blob(Data("walk orphan".utf8))
        try store.link("zeta", "_layers/sha256/\(hex(orphan))/link", orphan)
        try store.write("team/app", "_uploads/upload-1/startedat", "2024-03-01T12:00:00Z\n")
        try store.write("team/app", "_uploads/upload-2/data", "partial")
        return store
    }

    static func describe(_ links: RepositoryLinks) -> String {
        let tags = links.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value?.description ?? "nil")" }
        let uploads = links.uploads.sorted { $0.id < $1.id }.map { "\($0.id)@\($0.startedAt?.description ?? "nil")" }
        return "\(links.name) tags \(tags) revisions \(links.revisions) broken \(links.brokenRevisions) layers \(links.layers) uploads \(uploads)"
    }

    @Test("names, links, gc plans and scan findings equal the local driver's, with and without ETags", arguments: [false, true])
    func sameAsLocal(etags: Bool) throws {
        let store = try Self.damagedStore()
        defer { store.cleanup() }
        let local = try store.layout()
        let walking = try StorageLayout(driver: WalkingDriver(etags: etags), root: store.root.path)
        let names = try local.repositoryNames()
        #expect(names == ["layers-only", "team/app", "team/app/sub", "team/multi", "zeta"])
        #expect(try walking.repositoryNames() == names)
        let index = try walking.repositoryIndex()
        #expect(index.names == names)
        for name in names {
            let expected = Self.describe(try local.links(of: name))
            #expect(Self.describe(try walking.links(of: name, in: index)) == expected)
            #expect(Self.describe(try walking.links(of: name)) == expected)
        }
        #expect(try walking.blobs() == local.blobs())
        for deleteUntagged in [false, true] {
            let options = GarbageCollector.Options(deleteUntagged: deleteUntagged)
            let expected = try GarbageCollector(layout: local, options: options).plan()
            let plan = try GarbageCollector(layout: walking, options: options).plan()
            #expect(plan.blobs == expected.blobs && plan.manifests == expected.manifests && plan.layerLinks == expected.layerLinks)
            #expect(plan.problems == expected.problems && plan.keptForDamaged == expected.keptForDamaged)
            #expect(!plan.blobs.isEmpty && !plan.problems.isEmpty)
        }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let scanned = try StorageScanner(layout: walking, now: now).scan()
        let expected = try StorageScanner(layout: local, now: now).scan()
        #expect(scanned.findings == expected.findings)
        #expect(!scanned.findings.isEmpty)
    }

    @Test("with ETags, gc reads only manifests: links whose ETag is that of the digest they should name are not read")
    func etagsSpareLinkReads() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        try store.image("team/app", tags: ["v1"], seed: "spare-old")
        try store.image("team/app", tags: ["v1", "v2"], seed: "spare-new")
        let driver = WalkingDriver(etags: true)
        let layout = try StorageLayout(driver: driver, root: store.root.path)
        _ = try GarbageCollector(layout: layout).plan()
        let reads = driver.reads.paths.withLock { $0 }
        #expect(reads.count == 2 && reads.allSatisfy { $0.contains("/blobs/sha256/") }, "\(reads)")
    }
}
