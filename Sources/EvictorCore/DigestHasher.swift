import Crypto
import Foundation

/// A sha256 computed as the bytes arrive (a blob streamed from one registry to another), so
/// content is verified without being held whole.
public struct DigestHasher {
    private var hasher = SHA256()
    /// Bytes hashed so far.
    public private(set) var count: Int64 = 0

    public init() {}

    /// Adds the next bytes.
    public mutating func update<Bytes: ContiguousBytes>(_ bytes: Bytes) {
        bytes.withUnsafeBytes { buffer in
            hasher.update(bufferPointer: buffer)
            count += Int64(buffer.count)
        }
    }

    /// The digest of everything added.
    public func finalize() -> Digest { Digest.sha256(finalized: hasher.finalize()) }
}
