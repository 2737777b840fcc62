import Foundation

/// One image to build: its `created` time, a layer unique to `layerSeed`, platform and labels.
public struct TestImageSpec: Sendable {
    public var created: Date
    public var layerSeed: String
    public var platform: OCIPlatform
    public var labels: [String: String]
    /// Extra layers shared with other images built from the same `sharedLayerSeeds`.
    public var sharedLayerSeeds: [String]

    public init(
        created: Date, layerSeed: String, platform: OCIPlatform = .linuxAmd64,
        labels: [String: String] = [:], sharedLayerSeeds: [String] = []
    ) {
        self.created = created
        self.layerSeed = layerSeed
        self.platform = platform
        self.labels = labels
        self.sharedLayerSeeds = sharedLayerSeeds
    }
}

/// What was built: digests and bytes, the ground truth tests compare against.
public struct BuiltManifest: Sendable {
    public var digest: String
    public var mediaType: String
    public var bytes: Data
    public var configDigest: String?
    public var layerDigests: [String]
    /// For an index, its children.
    public var children: [BuiltManifest]
}

/// Writes an OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/...`) that
/// skopeo can copy from with `oci:DIR:TAG`.
public final class OCILayoutBuilder {
    public let directory: URL
    private var references: [OCIDescriptor] = []

    public init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: blobsDirectory, withIntermediateDirectories: true)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: directory.appendingPathComponent("oci-layout"))
    }

    /// A builder in a fresh temporary directory.
    public static func temporary() throws -> OCILayoutBuilder {
        try OCILayoutBuilder(directory: FileManager.default.temporaryDirectory.appendingPathComponent("evictor-oci-\(UUID().uuidString)"))
    }

    private var blobsDirectory: URL { directory.appendingPathComponent("blobs/sha256") }

    /// Adds a single-platform image under `tag`.
    @discardableResult
    public func addImage(tag: String, _ spec: TestImageSpec) throws -> BuiltManifest {
        let built = try buildImage(spec)
        try reference(tag: tag, mediaType: built.mediaType, digest: built.digest, size: built.bytes.count)
        try writeIndex()
        return built
    }

    /// Adds an image index under `tag` with one image per spec (one platform each).
    @discardableResult
    public func addIndex(tag: String, _ specs: [TestImageSpec]) throws -> BuiltManifest {
        var children: [BuiltManifest] = []
        var descriptors: [OCIDescriptor] = []
        for spec in specs {
            let child = try buildImage(spec)
            children.append(child)
            descriptors.append(OCIDescriptor(mediaType: child.mediaType, digest: child.digest, size: child.bytes.count, platform: spec.platform))
        }
        let index = OCIIndexDocument(manifests: descriptors)
        let bytes = try CanonicalJSON.encode(index)
        let digest = try writeBlob(bytes)
        try reference(tag: tag, mediaType: OCIMediaType.imageIndex, digest: digest, size: bytes.count)
        try writeIndex()
        return BuiltManifest(
            digest: digest, mediaType: OCIMediaType.imageIndex, bytes: bytes, configDigest: nil, layerDigests: [], children: children)
    }

    /// Removes the layout directory.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func buildImage(_ spec: TestImageSpec) throws -> BuiltManifest {
        var layers: [OCIDescriptor] = []
        for seed in spec.sharedLayerSeeds + [spec.layerSeed] {
            let tar = TarArchive.make(files: [(name: "evictor/\(seed).txt", contents: Data("layer \(seed)\n".utf8))])
            let digest = try writeBlob(tar)
            layers.append(OCIDescriptor(mediaType: OCIMediaType.layerTar, digest: digest, size: tar.count))
        }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let config = OCIConfigDocument(
            created: formatter.string(from: spec.created),
            architecture: spec.platform.architecture,
            os: spec.platform.os,
            variant: spec.platform.variant,
            config: .init(Labels: spec.labels.isEmpty ? nil : spec.labels, Cmd: ["/bin/true"]),
            rootfs: .init(diff_ids: layers.map(\.digest))
        )
        let configBytes = try CanonicalJSON.encode(config)
        let configDigest = try writeBlob(configBytes)
        let manifest = OCIManifestDocument(
            config: OCIDescriptor(mediaType: OCIMediaType.imageConfig, digest: configDigest, size: configBytes.count),
            layers: layers
        )
        let bytes = try CanonicalJSON.encode(manifest)
        let digest = try writeBlob(bytes)
        return BuiltManifest(
            digest: digest, mediaType: OCIMediaType.imageManifest, bytes: bytes, configDigest: configDigest, layerDigests: layers.map(\.digest),
            children: [])
    }

    private func writeBlob(_ data: Data) throws -> String {
        let digest = Sha256.digest(data)
        let url = blobsDirectory.appendingPathComponent(String(digest.dropFirst("sha256:".count)))
        if !FileManager.default.fileExists(atPath: url.path) { try data.write(to: url) }
        return digest
    }

    private func reference(tag: String, mediaType: String, digest: String, size: Int) throws {
        references.removeAll { $0.annotations?["org.opencontainers.image.ref.name"] == tag }
        references.append(OCIDescriptor(mediaType: mediaType, digest: digest, size: size, annotations: ["org.opencontainers.image.ref.name": tag]))
    }

    private func writeIndex() throws {
        let index = OCIIndexDocument(mediaType: nil, manifests: references)
        try CanonicalJSON.encode(index).write(to: directory.appendingPathComponent("index.json"))
    }
}
