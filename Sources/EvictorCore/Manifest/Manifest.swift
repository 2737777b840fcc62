import Foundation

/// An image's platform as an index lists it.
public struct Platform: Sendable, Hashable, Codable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?

    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
}

/// A content descriptor: what a manifest points at.
public struct Descriptor: Sendable, Hashable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var platform: Platform?
    public var artifactType: String?
    public var annotations: [String: String]
}

/// A parsed manifest: image, index or legacy schema1. Only what Evictor needs is kept.
public struct Manifest: Sendable {
    /// What kind of document this is.
    public enum Kind: String, Sendable {
        case image, index, schema1
    }

    public var digest: Digest
    public var mediaType: String
    public var kind: Kind
    public var size: Int
    /// The image config (images only).
    public var config: Descriptor?
    /// Layers (images) or blob sums (schema1).
    public var layers: [Descriptor]
    /// Child manifests (indexes only).
    public var children: [Descriptor]
    /// The manifest this one refers to (signatures, SBOMs).
    public var subject: Descriptor?
    public var artifactType: String?
    public var annotations: [String: String]

    /// Parses a manifest body. `contentType` is the response's Content-Type; the body's own
    /// `mediaType` wins when present. Throws a short reason for anything unparseable.
    public static func parse(_ bytes: [UInt8], contentType: String?, digest: Digest) throws(ManifestParseError) -> Manifest {
        let raw: RawManifest
        if let read = JSONFieldReader.read(bytes, { $0.manifest() }) { raw = read } else { raw = try decodeRaw(bytes) }
        // An empty media type (in the body or the Content-Type) says nothing: the kind's default
        // applies, as an empty one would mark the manifest unread (`RepositorySnapshot.isReadable`).
        var declared = raw.mediaType.flatMap { $0.isEmpty ? nil : $0 }
        if declared == nil, let bare = contentType.map(Self.bareMediaType), !bare.isEmpty { declared = bare }
        let schema = raw.schemaVersion ?? 0
        var kind: Kind
        if schema == 1 {
            kind = .schema1
        } else if schema != 2 {
            throw ManifestParseError(reason: "unsupported schemaVersion \(schema)")
        } else if raw.manifests != nil || declared.map(ManifestMediaType.isIndex) == true {
            kind = .index
        } else if raw.config != nil {
            kind = .image
        } else {
            throw ManifestParseError(reason: "schemaVersion 2 document with neither config nor manifests")
        }
        let mediaType: String
        switch kind {
        case .schema1: mediaType = declared ?? ManifestMediaType.dockerSchema1Signed
        case .index: mediaType = declared ?? ManifestMediaType.ociIndex
        case .image: mediaType = declared ?? ManifestMediaType.ociManifest
        }
        if kind == .index, raw.manifests == nil { throw ManifestParseError(reason: "index without manifests") }
        if kind == .image, raw.config == nil { throw ManifestParseError(reason: "image manifest without config") }
        do {
            let layers: [Descriptor]
            if kind == .schema1 {
                var blobSums: [Descriptor] = []
                for layer in raw.fsLayers ?? [] {
                    blobSums.append(
                        Descriptor(
                            mediaType: "application/octet-stream", digest: try Self.digest(layer.blobSum), size: -1, platform: nil, artifactType: nil,
                            annotations: [:]))
                }
                layers = blobSums
            } else {
                layers = try descriptors(raw.layers)
            }
            return Manifest(
                digest: digest,
                mediaType: mediaType,
                kind: kind,
                size: bytes.count,
                config: try raw.config?.descriptor(),
                layers: layers,
                children: try descriptors(raw.manifests),
                subject: try raw.subject?.descriptor(),
                artifactType: raw.artifactType,
                annotations: raw.annotations ?? [:]
            )
        }
    }

    /// The fields by JSONDecoder: for what `ManifestJSONReader` leaves to it (and it has the
    /// last word on what is valid, and says what is wrong).
    static func decodeRaw(_ bytes: [UInt8]) throws(ManifestParseError) -> RawManifest {
        do {
            return try JSONDecoder().decode(RawManifest.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw ManifestParseError(reason: Self.describe(error))
        } catch {
            throw ManifestParseError(reason: "not JSON")
        }
    }

    private static func descriptors(_ raw: [RawDescriptor]?) throws(ManifestParseError) -> [Descriptor] {
        var result: [Descriptor] = []
        for item in raw ?? [] { result.append(try item.descriptor()) }
        return result
    }

    /// Every blob this manifest needs directly (config and layers).
    public var blobs: [Descriptor] { (config.map { [$0] } ?? []) + layers }

    public static func bareMediaType(_ contentType: String) -> String {
        let type = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        guard let first = type.firstIndex(where: { !isBlank($0) }), let last = type.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(Substring(type[first...last])).lowercased()
    }

    fileprivate static func digest(_ text: String) throws(ManifestParseError) -> Digest {
        do { return try Digest(parsing: text) } catch { throw ManifestParseError(reason: "invalid digest '\(text.prefix(80))'") }
    }

    private static func describe(_ error: DecodingError) -> String {
        if case .typeMismatch(_, let context) = error, context.codingPath.isEmpty { return "not JSON (expected an object)" }
        if case .dataCorrupted(let context) = error, context.codingPath.isEmpty { return "not JSON" }
        return DecodingErrorText.describe(error)
    }
}

/// Why a manifest body could not be used.
public struct ManifestParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

/// A descriptor as the manifest's JSON has it (`JSONFieldReader` or JSONDecoder).
struct RawDescriptor: Decodable, Equatable {
    var mediaType: String?
    var digest: String
    var size: Int64
    var platform: Platform?
    var artifactType: String?
    var annotations: [String: String]?

    func descriptor() throws(ManifestParseError) -> Descriptor {
        guard size >= 0 else { throw ManifestParseError(reason: "negative size for \(digest.prefix(80))") }
        return Descriptor(
            mediaType: mediaType ?? "application/octet-stream", digest: try Manifest.digest(digest), size: size,
            platform: platform, artifactType: artifactType, annotations: annotations ?? [:]
        )
    }
}

/// The manifest fields Evictor reads, as the JSON has them (`JSONFieldReader` or JSONDecoder).
struct RawManifest: Decodable, Equatable {
    struct FSLayer: Decodable, Equatable { var blobSum: String }
    var schemaVersion: Int?
    var mediaType: String?
    var config: RawDescriptor?
    var layers: [RawDescriptor]?
    var manifests: [RawDescriptor]?
    var subject: RawDescriptor?
    var artifactType: String?
    var annotations: [String: String]?
    var fsLayers: [FSLayer]?
}
