import Crypto

/// A content digest, `algorithm:hex`, as the OCI image spec defines it. Evictor computes and
/// verifies sha256 (and accepts sha512 from registries); other algorithms are refused.
///
/// The hash is kept inline as eight 64-bit words (no heap allocation): a plan or a storage
/// walk of 100,000 tags holds millions of digests, and strings made that the largest cost.
public struct Digest: Sendable, Hashable, Comparable, TextCodable {
    private let isSHA512: Bool
    /// The hash bytes, big-endian in words 0...3 (sha256) or 0...7 (sha512); the rest zero.
    private let words: SIMD8<UInt64>

    /// `sha256` or `sha512`.
    public var algorithm: String { isSHA512 ? "sha512" : "sha256" }

    /// Lower-case hex of the hash.
    public var hex: String {
        let table = Array("0123456789abcdef".utf8)
        let count = isSHA512 ? 8 : 4
        var out: [UInt8] = []
        out.reserveCapacity(count * 16)
        for index in 0..<count {
            let word = words[index]
            for shift in stride(from: 60, through: 0, by: -4) { out.append(table[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`; anything else is refused.
    public init(parsing text: String) throws(EvictorCoreError) {
        let utf8 = Array(text.utf8)
        let isSHA512: Bool
        if utf8.count == 71, utf8.starts(with: Array("sha256:".utf8)) {
            isSHA512 = false
        } else if utf8.count == 135, utf8.starts(with: Array("sha512:".utf8)) {
            isSHA512 = true
        } else {
            throw .invalidDigest(text)
        }
        var words = SIMD8<UInt64>(repeating: 0)
        for (index, character) in utf8.dropFirst(7).enumerated() {
            let nibble: UInt64
            switch character {
            case 0x30...0x39: nibble = UInt64(character - 0x30)
            case 0x61...0x66: nibble = UInt64(character - 0x61 + 10)
            default: throw .invalidDigest(text)
            }
            words[index / 16] |= nibble << UInt64(60 - (index % 16) * 4)
        }
        self.isSHA512 = isSHA512
        self.words = words
    }

    private init<Bytes: Sequence>(isSHA512: Bool, bytes: Bytes) where Bytes.Element == UInt8 {
        var words = SIMD8<UInt64>(repeating: 0)
        for (index, byte) in bytes.enumerated() where index < 64 {
            words[index / 8] |= UInt64(byte) << UInt64(56 - (index % 8) * 8)
        }
        self.isSHA512 = isSHA512
        self.words = words
    }

    /// The sha256 digest of `bytes`.
    public static func sha256<Bytes: Sequence>(of bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return Digest(isSHA512: false, bytes: hasher.finalize())
    }

    /// The sha256 of a finished incremental hash.
    static func sha256(finalized hash: SHA256.Digest) -> Digest {
        Digest(isSHA512: false, bytes: hash)
    }

    /// Whether `bytes` hash to this digest.
    public func matches<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        if isSHA512 { return Digest(isSHA512: true, bytes: SHA512.hash(data: Array(bytes))) == self }
        return Digest(isSHA512: false, bytes: SHA256.hash(data: Array(bytes))) == self
    }

    public var description: String { "\(algorithm):\(hex)" }

    /// `sha256:` and the first 12 hex digits, for messages.
    public var short: String { "\(algorithm):\(hex.prefix(12))" }

    /// The order of the text forms (`sha256:...` before `sha512:...`, then the hex), without
    /// building them: lower-case hex sorts like the bytes it encodes.
    public static func < (lhs: Digest, rhs: Digest) -> Bool {
        if lhs.isSHA512 != rhs.isSHA512 { return !lhs.isSHA512 }
        for index in 0..<8 where lhs.words[index] != rhs.words[index] {
            return lhs.words[index] < rhs.words[index]
        }
        return false
    }
}
