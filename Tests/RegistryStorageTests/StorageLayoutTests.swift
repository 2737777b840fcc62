import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryStorage
import Testing

@Suite("StorageLayout: paths and validation")
struct StorageLayoutTests {
    @Test("the root and its docker/registry/v2 directory give the same layout; paths follow Distribution's layout")
    func paths() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        let built = try store.image("team/app", tags: ["v1"], seed: "paths")
        let v2 = store.v2.standardizedFileURL.path

        let fromRoot = try store.layout()
        let fromV2 = try StorageLayout(root: v2)
        #expect(fromRoot.v2Path == v2)
        #expect(fromV2.v2Path == v2)
        #expect(fromRoot.v2.path == v2)

        let manifest = try digest(built.digest)
        let h = manifest.hex
        #expect(StorageLayout.blobDataRelativePath(manifest) == "blobs/sha256/\(h.prefix(2))/\(h)/data")
        #expect(fromRoot.blobDataPath(manifest) == "\(v2)/blobs/sha256/\(h.prefix(2))/\(h)/data")
        #expect(fromRoot.blobData(manifest).path == "\(v2)/blobs/sha256/\(h.prefix(2))/\(h)/data")
        #expect(fromRoot.repositoryPath("team/app") == "\(v2)/repositories/team/app")
        #expect(fromRoot.repositoryDirectory("team/app").path == "\(v2)/repositories/team/app")
        #expect(fromRoot.repositoriesDirectory.path == "\(v2)/repositories")
        // The seeder wrote the manifest exactly where the layout says.
        #expect(try Data(contentsOf: fromRoot.blobData(manifest)) == built.bytes)
    }

    @Test("a directory that is not a storage root is refused, naming it")
    func refusesNonStore() throws {
        let fm = FileManager.default
        let empty = fm.temporaryDirectory.appendingPathComponent("evictor-notastore-\(UUID().uuidString)")
        try fm.createDirectory(at: empty.appendingPathComponent("docker/registry"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: empty) }
        #expect(throws: StorageError.notAStore(empty.path, reason: "neither docker/registry/v2/repositories nor blobs found")) {
            try StorageLayout(root: empty.path)
        }
        let missing = empty.appendingPathComponent("nothing-here").path
        #expect(throws: StorageError.notAStore(missing, reason: "no such directory")) {
            try StorageLayout(root: missing)
        }
        let file = empty.appendingPathComponent("a-file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: StorageError.notAStore(file, reason: "no such directory")) {
            try StorageLayout(root: file)
        }
        // A store holding only blobs (every repository deleted) is still a store.
        try fm.createDirectory(at: empty.appendingPathComponent("docker/registry/v2/blobs"), withIntermediateDirectories: true)
        let layout = try StorageLayout(root: empty.path)
        #expect(try layout.repositoryNames() == [])
    }

    @Test("repositoryNames lists nested names holding _manifests or _layers, sorted, and nothing else")
    func repositoryNames() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        try store.image("zeta", tags: ["v1"], seed: "names-1")
        try store.image("team/app", tags: ["v1"], seed: "names-2")
        try store.image("team/app/sub", tags: ["v1"], seed: "names-3")
        try store.link("layers-only", "_layers/sha256/\(hex(fakeDigest("a")))/link", fakeDigest("a"))
        try FileManager.default.createDirectory(at: store.v2.appendingPathComponent("repositories/empty/dir"), withIntermediateDirectories: true)
        #expect(try store.layout().repositoryNames() == ["layers-only", "team/app", "team/app/sub", "zeta"])
    }
}

@Suite("RepositoryLinks: reading a repository's links")
struct RepositoryLinksTests {
    @Test("good links: tags, revisions, layers and uploads as written")
    func goodLinks() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        let one = try store.image("team/app", tags: ["v1", "stable"], seed: "links-1")
        let two = try store.image("team/app", tags: ["v2"], seed: "links-2")
        try store.write("team/app", "_uploads/upload-1/startedat", "2024-03-01T12:00:00Z\n")
        try store.write("team/app", "_uploads/upload-2/data", "partial")

        let links = try store.layout().links(of: "team/app")
        #expect(links.name == "team/app")
        #expect(links.tags == ["v1": try digest(one.digest), "stable": try digest(one.digest), "v2": try digest(two.digest)])
        #expect(links.revisions == [try digest(one.digest), try digest(two.digest)].sorted())
        #expect(links.brokenRevisions == [])
        let layers = try (one.layerDigests + two.layerDigests + [one.configDigest!, two.configDigest!]).map(digest).sorted()
        #expect(links.layers == layers)
        let uploads = Dictionary(uniqueKeysWithValues: links.uploads.map { ($0.id, $0.startedAt) })
        #expect(uploads.count == 2)
        #expect(uploads["upload-1"] == .some(Date(timeIntervalSince1970: 1_709_294_400)))
        #expect(uploads["upload-2"] == .some(nil))
        #expect(try store.layout().revisionDigests(of: "team/app") == links.revisions)
    }

    @Test("malformed and missing links: a tag maps to nil, a bad revision is listed as broken, a bad layer link is left out")
    func malformedLinks() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        let good = try store.image("team/app", tags: ["v1"], seed: "bad-links")
        // A tag whose current/link is garbage, and one without current/link at all.
        try store.write("team/app", "_manifests/tags/garbage/current/link", "not a digest")
        try FileManager.default.createDirectory(
            at: store.seeder.repositoryPath("team/app", "_manifests/tags/nolink/current"), withIntermediateDirectories: true)
        // A link with a trailing newline still reads.
        try store.write("team/app", "_manifests/tags/newline/current/link", good.digest + "\n")
        // A revision link naming another digest, and one that is garbage.
        let other = fakeDigest("b")
        try store.link("team/app", "_manifests/revisions/sha256/\(hex(fakeDigest("c")))/link", other)
        try store.write("team/app", "_manifests/revisions/sha256/\(hex(fakeDigest("d")))/link", "sha256:xyz")
        // A revision directory without a link: what a DELETE leaves; neither valid nor broken.
        try FileManager.default.createDirectory(
            at: store.seeder.repositoryPath("team/app", "_manifests/revisions/sha256/\(hex(fakeDigest("e")))"), withIntermediateDirectories: true)
        // A layer link that is garbage.
        try store.write("team/app", "_layers/sha256/\(hex(fakeDigest("f")))/link", "garbage")

        let links = try store.layout().links(of: "team/app")
        #expect(links.tags == ["v1": try digest(good.digest), "garbage": nil, "nolink": nil, "newline": try digest(good.digest)])
        #expect(links.revisions == [try digest(good.digest)])
        #expect(links.brokenRevisions == [hex(fakeDigest("c")), hex(fakeDigest("d"))])
        let layers = try (good.layerDigests + [good.configDigest!]).map(digest).sorted()
        #expect(links.layers == layers)
        #expect(StorageLayout.readLink(store.seeder.repositoryPath("team/app", "_manifests/tags/garbage/current/link")) == nil)
        #expect(StorageLayout.readLink(store.seeder.repositoryPath("team/app", "_manifests/tags/newline/current/link")) == (try digest(good.digest)))
    }

    @Test("a repository that is not there has no links")
    func missingRepository() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        try store.image("team/app", tags: ["v1"], seed: "missing")
        let links = try store.layout().links(of: "team/none")
        #expect(links.tags.isEmpty)
        #expect(links.revisions.isEmpty)
        #expect(links.brokenRevisions.isEmpty)
        #expect(links.layers.isEmpty)
        #expect(links.uploads.isEmpty)
    }
}

@Suite("ImageRemoval: what storage rm takes")
struct ImageRemovalTests {
    @Test("a repository: the whole directory")
    func wholeRepository() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        try store.image("team/app", tags: ["v1"], seed: "rm-repo")
        let paths = try ImageRemoval.paths(layout: store.layout(), repository: "team/app", tag: nil)
        #expect(paths.map(\.path) == ["repositories/team/app"])
        #expect(paths.map(\.reason) == ["the whole repository"])
    }

    @Test("one tag: the tag, and its manifest only when no other tag needs it")
    func oneTag() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        let shared = try store.image("team/app", tags: ["a", "b"], seed: "rm-shared")
        let alone = try store.image("team/app", tags: ["c"], seed: "rm-alone")
        let layout = try store.layout()

        let c = try ImageRemoval.paths(layout: layout, repository: "team/app", tag: "c")
        #expect(
            c.map(\.path) == ["repositories/team/app/_manifests/tags/c", "repositories/team/app/_manifests/revisions/sha256/\(hex(alone.digest))"])
        #expect(c.map(\.reason) == ["the tag", "manifest of c, no other tag needs it"])

        let a = try ImageRemoval.paths(layout: layout, repository: "team/app", tag: "a")
        #expect(a.map(\.path) == ["repositories/team/app/_manifests/tags/a"])
        _ = shared

        // A tag whose link is broken: only the tag.
        try store.write("team/app", "_manifests/tags/broken/current/link", "garbage")
        #expect(
            try ImageRemoval.paths(layout: layout, repository: "team/app", tag: "broken").map(\.path) == [
                "repositories/team/app/_manifests/tags/broken"
            ])
    }

    @Test("an index tag takes its children too, except a child another tag reaches")
    func indexTag() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        let amd = try store.image("team/multi", tags: [], seed: "rm-amd")
        let arm = try store.image("team/multi", tags: ["arm"], seed: "rm-arm", platform: .linuxArm64)
        let index = try store.index("team/multi", tags: ["multi"], children: [amd, arm])
        let paths = try ImageRemoval.paths(layout: store.layout(), repository: "team/multi", tag: "multi")
        #expect(
            paths.map(\.path) == [
                "repositories/team/multi/_manifests/tags/multi",
                "repositories/team/multi/_manifests/revisions/sha256/\(hex(index))",
                "repositories/team/multi/_manifests/revisions/sha256/\(hex(amd.digest))",
            ])
        #expect(paths.last?.reason == "child of multi's index, no other tag needs it")
    }

    @Test("an unknown repository or tag, or a path leaving the store, is not found")
    func notFound() throws {
        let store = try StoreFixture()
        defer { store.cleanup() }
        try store.image("team/app", tags: ["v1"], seed: "rm-none")
        let layout = try store.layout()
        #expect(throws: StorageError.notFound("repository team/none")) { try ImageRemoval.paths(layout: layout, repository: "team/none", tag: nil) }
        #expect(throws: StorageError.notFound("tag team/app:v9")) { try ImageRemoval.paths(layout: layout, repository: "team/app", tag: "v9") }
        #expect(throws: StorageError.notFound("repository team/app/../app")) {
            try ImageRemoval.paths(layout: layout, repository: "team/app/../app", tag: nil)
        }
        #expect(throws: StorageError.notFound("repository ")) { try ImageRemoval.paths(layout: layout, repository: "", tag: nil) }
    }
}
