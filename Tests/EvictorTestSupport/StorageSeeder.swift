import Crypto
import Foundation

/// Writes the CNCF Distribution filesystem layout directly (blobs, layer/revision/tag links),
/// for stores too big to push image by image. Start (or restart) the registry afterwards.
public final class StorageSeeder {
    public let root: URL
    private var written: Set<String> = []

    /// `root` is the registry's `rootdirectory`.
    public init(root: URL) {
        self.root = root
    }

    private var v2: URL { root.appendingPathComponent("docker/registry/v2") }

    /// Writes a blob; returns its digest.
    @discardableResult
    public func blob(_ data: Data) throws -> String {
        let digest = Sha256.digest(data)
        guard written.insert(digest).inserted else { return digest }
        let hex = String(digest.dropFirst(7))
        let directory = v2.appendingPathComponent("blobs/sha256/\(hex.prefix(2))/\(hex)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try data.write(to: directory.appendingPathComponent("data"))
        return digest
    }

    /// Stores a single-platform OCI image in `repository` under `tags`; returns the manifest.
    @discardableResult
    public func image(repository: String, tags: [String], spec: TestImageSpec) throws -> BuiltManifest {
        let layer = TarArchive.make(files: [(name: "evictor/\(spec.layerSeed).txt", contents: Data("layer \(spec.layerSeed)\n".utf8))])
        let layerDigest = try blob(layer)
        let formatter = ISO8601DateFormatter()
        let config = OCIConfigDocument(
            created: formatter.string(from: spec.created), architecture: spec.platform.architecture, os: spec.platform.os,
            variant: spec.platform.variant, config: .init(Labels: spec.labels.isEmpty ? nil : spec.labels, Cmd: nil),
            rootfs: .init(diff_ids: [layerDigest])
        )
        let configBytes = try CanonicalJSON.encode(config)
        let configDigest = try blob(configBytes)
        let manifest = OCIManifestDocument(
            config: OCIDescriptor(mediaType: OCIMediaType.imageConfig, digest: configDigest, size: configBytes.count),
            layers: [OCIDescriptor(mediaType: OCIMediaType.layerTar, digest: layerDigest, size: layer.count)]
        )
        let bytes = try CanonicalJSON.encode(manifest)
        let digest = try blob(bytes)
        try link(repository, "_layers/sha256/\(layerDigest.dropFirst(7))/link", layerDigest)
        try link(repository, "_layers/sha256/\(configDigest.dropFirst(7))/link", configDigest)
        try link(repository, "_manifests/revisions/sha256/\(digest.dropFirst(7))/link", digest)
        for tag in tags {
            try link(repository, "_manifests/tags/\(tag)/current/link", digest)
            try link(repository, "_manifests/tags/\(tag)/index/sha256/\(digest.dropFirst(7))/link", digest)
        }
        return BuiltManifest(
            digest: digest, mediaType: OCIMediaType.imageManifest, bytes: bytes, configDigest: configDigest, layerDigests: [layerDigest], children: []
        )
    }

    /// Stores a manifest document as it is (an artifact with a `subject`, an index) in
    /// `repository` under `tags`, linking `blobs` (its config and layers) to the repository.
    @discardableResult
    public func manifest(repository: String, tags: [String], bytes: Data, blobs: [String]) throws -> String {
        let digest = try blob(bytes)
        for blobDigest in blobs { try link(repository, "_layers/sha256/\(blobDigest.dropFirst(7))/link", blobDigest) }
        try link(repository, "_manifests/revisions/sha256/\(digest.dropFirst(7))/link", digest)
        for tag in tags {
            try link(repository, "_manifests/tags/\(tag)/current/link", digest)
            try link(repository, "_manifests/tags/\(tag)/index/sha256/\(digest.dropFirst(7))/link", digest)
        }
        return digest
    }

    /// Writes a blob of `size` pseudo-random bytes without holding it in memory; its digest.
    public func largeBlob(size: Int, seed: UInt64) throws -> String {
        let staging = root.appendingPathComponent("staging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: staging.path, contents: nil)
        let handle = try FileHandle(forWritingTo: staging)
        var hasher = SHA256()
        var generator = SplitMix64(seed: seed)
        var written = 0
        while written < size {
            let count = min(1 << 20, size - written)
            var chunk = [UInt8](repeating: 0, count: count)
            for index in stride(from: 0, to: count, by: 8) {
                var value = generator.next()
                withUnsafeBytes(of: &value) { raw in
                    for offset in 0..<min(8, count - index) { chunk[index + offset] = raw[offset] }
                }
            }
            hasher.update(data: chunk)
            try handle.write(contentsOf: chunk)
            written += count
        }
        try handle.close()
        let digest = "sha256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        let target = blobPath(digest)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: staging, to: target)
        return digest
    }

    /// The path of a repository file under the store.
    public func repositoryPath(_ repository: String, _ relative: String) -> URL {
        v2.appendingPathComponent("repositories/\(repository)/\(relative)")
    }

    /// The data file of a blob.
    public func blobPath(_ digest: String) -> URL {
        let hex = String(digest.dropFirst(7))
        return v2.appendingPathComponent("blobs/sha256/\(hex.prefix(2))/\(hex)/data")
    }

    private func link(_ repository: String, _ relative: String, _ digest: String) throws {
        let url = repositoryPath(repository, relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(digest.utf8).write(to: url)
    }

    /// Every file and directory under `root`, relative, with its bytes' sha256 (`dir` for a
    /// directory): two trees are byte-for-byte the same when these are equal.
    public static func tree(_ root: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        let base = root.standardizedFileURL.path
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [:] }
        for case let relative as String in enumerator {
            let path = base + "/" + relative
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            result[relative] = isDirectory.boolValue ? "dir" : Sha256.digest(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        return result
    }
}
