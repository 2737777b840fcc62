import EvictorCore
import Foundation

/// A manifest read from the blob store: parsed, or why it cannot be used.
public enum StoredManifest: Sendable {
    case manifest(Manifest)
    /// `blobs/.../data` is not there.
    case missing
    /// A zero-byte data file.
    case empty
    /// The bytes do not hash to the digest; `references` are the digests found in them.
    case digestMismatch(actual: Digest, references: [Digest])
    /// The bytes are not a manifest; `references` are the digests found in them anyway.
    case unparseable(reason: String, references: [Digest])

    /// Reads and checks the manifest `digest` from `layout`; throws only when the store
    /// cannot be read (a manifest that is not there is `.missing`).
    public static func read(_ digest: Digest, in layout: StorageLayout) throws(StorageError) -> StoredManifest {
        guard let bytes = try layout.driver.read(layout.blobDataPath(digest), limit: 64 << 20) else { return .missing }
        if bytes.isEmpty { return .empty }
        let actual = Digest.sha256(of: bytes)
        guard actual == digest else { return .digestMismatch(actual: actual, references: digestsMentioned(in: bytes)) }
        do {
            return .manifest(try Manifest.parse(bytes, contentType: nil, digest: digest))
        } catch {
            return .unparseable(reason: error.reason, references: digestsMentioned(in: bytes))
        }
    }

    /// Every `sha256:<64 hex>` in a document: what a damaged manifest may still reference.
    static func digestsMentioned(in bytes: [UInt8]) -> [Digest] {
        let text = String(decoding: bytes, as: UTF8.self)
        var found: Set<Digest> = []
        var rest = Substring(text)
        while let range = rest.range(of: "sha256:") {
            let hex = rest[range.upperBound...].prefix(64)
            if hex.count == 64, let digest = try? Digest(parsing: "sha256:\(hex)") { found.insert(digest) }
            rest = rest[range.upperBound...]
        }
        return found.sorted()
    }
}
