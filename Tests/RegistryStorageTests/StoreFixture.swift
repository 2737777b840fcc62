import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryStorage

/// A Distribution store in a fresh temporary directory, written with `StorageSeeder`, plus
/// what the seeder cannot write (indexes, hand-made links) and a snapshot of the whole tree.
final class StoreFixture {
    let root: URL
    let seeder: StorageSeeder
    static let created = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        seeder = StorageSeeder(root: root)
    }

    /// Removes the store (call in a `defer`: that also keeps the fixture alive to the end).
    func cleanup() {
        try? FileManager.default.removeItem(at: root)
    }

    var v2: URL { root.appendingPathComponent("docker/registry/v2") }

    func layout() throws -> StorageLayout { try StorageLayout(root: root.path) }

    /// A single-platform image whose layer is unique to `seed`.
    @discardableResult
    func image(_ repository: String, tags: [String], seed: String, platform: OCIPlatform = .linuxAmd64) throws -> BuiltManifest {
        try seeder.image(repository: repository, tags: tags, spec: TestImageSpec(created: Self.created, layerSeed: seed, platform: platform))
    }

    /// An OCI index listing `children` (already stored in `repository`), tagged `tags`; returns its digest.
    @discardableResult
    func index(_ repository: String, tags: [String], children: [BuiltManifest]) throws -> String {
        let descriptors: [[String: Any]] = children.map { child in
            ["mediaType": child.mediaType, "digest": child.digest, "size": child.bytes.count]
        }
        let document: [String: Any] = ["schemaVersion": 2, "mediaType": OCIMediaType.imageIndex, "manifests": descriptors]
        let bytes = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        let digest = try seeder.blob(bytes)
        try link(repository, "_manifests/revisions/sha256/\(hex(digest))/link", digest)
        for tag in tags {
            try link(repository, "_manifests/tags/\(tag)/current/link", digest)
            try link(repository, "_manifests/tags/\(tag)/index/sha256/\(hex(digest))/link", digest)
        }
        return digest
    }

    /// Writes `text` to a file of the repository (creating its directories).
    func write(_ repository: String, _ relative: String, _ text: String) throws {
        let url = seeder.repositoryPath(repository, relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func link(_ repository: String, _ relative: String, _ digest: String) throws {
        try write(repository, relative, digest)
    }

    func remove(_ relativeToV2: String) throws {
        try FileManager.default.removeItem(at: v2.appendingPathComponent(relativeToV2))
    }

    func exists(_ relativeToV2: String) -> Bool {
        FileManager.default.fileExists(atPath: v2.appendingPathComponent(relativeToV2).path)
    }

    /// Every file and directory under the store root, relative, with its bytes' sha256 ("dir" for directories).
    func tree() throws -> [String: String] {
        try Self.tree(root)
    }

    static func tree(_ directory: URL) throws -> [String: String] {
        try StorageSeeder.tree(directory)
    }
}

func hex(_ digest: String) -> String { String(digest.dropFirst(7)) }

func digest(_ text: String) throws -> Digest { try Digest(parsing: text) }

/// `blobs/sha256/<ab>/<hex>` of a digest, relative to `docker/registry/v2`.
func blobDirectory(_ digest: String) -> String { "blobs/sha256/\(hex(digest).prefix(2))/\(hex(digest))" }

/// A digest no content has, made of one repeated hex character.
func fakeDigest(_ character: Character) -> String { "sha256:" + String(repeating: character, count: 64) }
