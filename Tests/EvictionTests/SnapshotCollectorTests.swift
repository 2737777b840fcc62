import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryAPI
import RegistryStorage
import Synchronization
import Testing
@testable import Eviction

@Suite("SnapshotCollector against the real registry")
struct SnapshotCollectorTests {
    @Test("a repository's tags, image records (created, labels, platform, blobs, sizes) and a multi-arch index with its children")
    func tagsImagesAndIndex() async throws {
        try await RegistryFixture.with { fixture in
            let labels = ["org.opencontainers.image.source": "unit"]
            let app = try await fixture.push("shop/app", "v1", RegistryFixture.spec("snap-app", day: 1, labels: labels))
            try await fixture.tag("shop/app", "v2", app)
            let index = try await fixture.pushIndex(
                "shop/app", "multi",
                [
                    RegistryFixture.spec("snap-amd", day: 2),
                    RegistryFixture.spec("snap-arm", day: 3, platform: .linuxArm64),
                ])
            try await fixture.push("shop/other", "x", RegistryFixture.spec("snap-other", day: 4))

            let (snapshots, gaps) = try await SnapshotCollector(client: fixture.client).snapshots(of: ["shop/app"])
            #expect(gaps.unreadableTags == [])
            #expect(snapshots.map(\.name) == ["shop/app"])
            let snapshot = try #require(snapshots.first)
            let a = try digest(app.digest)
            let i = try digest(index.digest)
            let amd = try #require(index.children.first)
            let arm = try #require(index.children.last)
            #expect(snapshot.tags == [TagRecord(name: "multi", digest: i), TagRecord(name: "v1", digest: a), TagRecord(name: "v2", digest: a)])
            #expect(Set(snapshot.images.keys) == Set([a, i, try digest(amd.digest), try digest(arm.digest)]))
            #expect(snapshot.untagged == [])

            func expectedImage(_ built: BuiltManifest, day: Double, platform: String, labels: [String: String]) throws -> ImageRecord {
                let blobs = try ([built.configDigest!] + built.layerDigests).map { BlobUse(digest: try digest($0), size: try fixture.blobSize($0)) }
                return ImageRecord(
                    digest: try digest(built.digest), mediaType: OCIMediaType.imageManifest,
                    created: RegistryFixture.base.addingTimeInterval(day * RegistryFixture.day),
                    manifestSize: Int64(built.bytes.count), size: Int64(built.bytes.count) + blobs.reduce(0) { $0 + $1.size },
                    platforms: [platform], labels: labels, blobs: blobs
                )
            }
            let appRecord = try expectedImage(app, day: 1, platform: "linux/amd64", labels: labels)
            let amdRecord = try expectedImage(amd, day: 2, platform: "linux/amd64", labels: [:])
            let armRecord = try expectedImage(arm, day: 3, platform: "linux/arm64/v8", labels: [:])
            #expect(snapshot.images[a] == appRecord)
            #expect(snapshot.images[try digest(amd.digest)] == amdRecord)
            #expect(snapshot.images[try digest(arm.digest)] == armRecord)
            let indexRecord = ImageRecord(
                digest: i, mediaType: OCIMediaType.imageIndex, created: armRecord.created, manifestSize: Int64(index.bytes.count),
                size: Int64(index.bytes.count) + amdRecord.size + armRecord.size, platforms: ["linux/amd64", "linux/arm64/v8"],
                children: [amdRecord.digest, armRecord.digest], isIndex: true
            )
            #expect(snapshot.images[i] == indexRecord)
            #expect(snapshot.parentsByChild == [amdRecord.digest: [i], armRecord.digest: [i]])
        }
    }

    @Test("every repository when none is named, sorted; with the storage root, untagged manifests too")
    func allRepositoriesAndUntagged() async throws {
        try await RegistryFixture.with { fixture in
            let first = try await fixture.push("shop/app", "v1", RegistryFixture.spec("untagged-1", day: 1))
            let second = try await fixture.push("shop/app", "v1", RegistryFixture.spec("untagged-2", day: 2))
            let other = try await fixture.push("a/first", "latest", RegistryFixture.spec("untagged-3", day: 3))

            let (plain, _) = try await SnapshotCollector(client: fixture.client).snapshots(of: [])
            #expect(plain.map(\.name) == ["a/first", "shop/app"])
            #expect(plain.map(\.untagged) == [[], []])
            #expect(plain.last?.images.keys.sorted() == [try digest(second.digest)])

            let storage = try StorageLayout(root: fixture.registry.storageRoot.path)
            let (withStorage, _) = try await SnapshotCollector(client: fixture.client, storage: storage).snapshots(of: [])
            #expect(withStorage.map(\.name) == ["a/first", "shop/app"])
            #expect(withStorage.first?.tags == [TagRecord(name: "latest", digest: try digest(other.digest))])
            #expect(withStorage.first?.untagged == [])
            let app = try #require(withStorage.last)
            #expect(app.tags == [TagRecord(name: "v1", digest: try digest(second.digest))])
            #expect(app.untagged == [try digest(first.digest)])
            let untaggedRecord = try #require(app.images[try digest(first.digest)])
            #expect(untaggedRecord.mediaType == OCIMediaType.imageManifest)
            #expect(untaggedRecord.created == RegistryFixture.base.addingTimeInterval(RegistryFixture.day))
            #expect(app.isReadable(try digest(first.digest)))
        }
    }

    @Test("read a batch at a time, the snapshots are the same as read at once, in name order, with the same gaps")
    func batches() async throws {
        try await RegistryFixture.with { fixture in
            for (repository, tags) in [("c/three", ["a", "b", "c"]), ("a/one", ["x"]), ("b/two", ["p", "q"])] {
                for tag in tags { try await fixture.push(repository, tag, RegistryFixture.spec("\(repository)-\(tag)", day: 1)) }
            }
            let storage = try StorageLayout(root: fixture.registry.storageRoot.path)
            let collector = SnapshotCollector(client: fixture.client, storage: storage)
            let (whole, wholeGaps) = try await collector.snapshots(of: [])
            let done = Mutex(0)
            var reader = collector.reader(
                of: [],
                progress: { finished, total in
                    done.withLock { $0 = max($0, finished) }
                    #expect(total == 6)
                }, batchTags: 2)
            var batched: [RepositorySnapshot] = []
            while let snapshot = try await reader.next() { batched.append(snapshot) }
            #expect(try await reader.next() == nil)
            #expect(batched.map(\.name) == ["a/one", "b/two", "c/three"])
            #expect(batched.map(\.name) == whole.map(\.name))
            #expect(batched.map(\.tags) == whole.map(\.tags))
            #expect(batched.map(\.images) == whole.map(\.images))
            #expect(batched.map(\.untagged) == whole.map(\.untagged))
            #expect(reader.gaps.unreadableTags == wholeGaps.unreadableTags)
            #expect(done.withLock { $0 } == 6)
        }
    }

    @Test("a repository the registry does not have is an error naming it")
    func unknownRepository() async throws {
        try await RegistryFixture.with { fixture in
            try await fixture.push("shop/app", "v1", RegistryFixture.spec("unknown", day: 1))
            let error = await #expect(throws: EvictionError.self) {
                try await SnapshotCollector(client: fixture.client).snapshots(of: ["shop/none"])
            }
            #expect(error?.description.contains("shop/none") == true, "\(String(describing: error))")
        }
    }
}

@Suite("ImageMemo")
struct ImageMemoTests {
    @Test("records are kept per repository and handed over once")
    func perRepository() async throws {
        let memo = ImageMemo()
        let d = try digest("sha256:" + String(repeating: "1", count: 64))
        let record = ImageRecord(digest: d, mediaType: OCIMediaType.imageManifest, size: 42)
        await memo.store("a", record)
        #expect(await memo.image("a", d) == record)
        #expect(await memo.image("b", d) == nil)
        #expect(await memo.takeImages(of: "a") == [d: record])
        #expect(await memo.image("a", d) == nil)
        #expect(await memo.takeImages(of: "a") == [:])
    }
}
