import Crypto

/// A content digest, `algorithm:hex`, as the OCI image spec defines it. Evictor computes and
/// verifies sha256 (and accepts sha512 from registries); other algorithms are refused.
public struct Digest: Sendable, Hashable, Comparable, TextCodable {
    /// `sha256` or `sha512`.
    public let algorithm: String
    /// Lower-case hex of the hash.
    public let hex: String

    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`; anything else is refused.
    public init(parsing text: String) throws(EvictorCoreError) {
        guard let colon = text.firstIndex(of: ":") else { throw .invalidDigest(text) }
        let algorithm = String(text[..<colon])
        let hex = String(text[text.index(after: colon)...])
        let expectedLength: Int
        switch algorithm {
        case "sha256": expectedLength = 64
        case "sha512": expectedLength = 128
        default: throw .invalidDigest(text)
        }
        guard hex.utf8.count == expectedLength,
            hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else { throw .invalidDigest(text) }
        self.algorithm = algorithm
        self.hex = hex
    }

    /// The sha256 digest of `bytes`.
    public static func sha256<Bytes: Sequence>(of bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return Digest(validatedAlgorithm: "sha256", hex: Self.hexString(hasher.finalize()))
    }

    /// The sha256 of a finished incremental hash.
    static func sha256(finalized hash: SHA256.Digest) -> Digest {
        Digest(validatedAlgorithm: "sha256", hex: Self.hexString(hash))
    }

    /// Whether `bytes` hash to this digest.
    public func matches<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        switch algorithm {
        case "sha256":
            return Self.hexString(SHA256.hash(data: Array(bytes))) == hex
        case "sha512":
            return Self.hexString(SHA512.hash(data: Array(bytes))) == hex
        default:
            return false
        }
    }

    private init(validatedAlgorithm: String, hex: String) {
        self.algorithm = validatedAlgorithm
        self.hex = hex
    }

    private static func hexString<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(128)
        for byte in digest {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { "\(algorithm):\(hex)" }

    /// `sha256:` and the first 12 hex digits, for messages.
    public var short: String { "\(algorithm):\(hex.prefix(12))" }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }
}
