import Crypto

/// A content digest, `algorithm:hex`, as the OCI image spec defines it. Evictor computes and
/// verifies sha256 (and accepts sha512 from registries); other algorithms are refused.
///
/// Stored as the hash's bytes (four 64-bit words inline; a sha512's second half in a small
/// shared object), not as text: a plan holds hundreds of thousands of digests, and a 64-digit
/// string would cost a heap allocation each. `hex` and `description` are made when asked for.
public struct Digest: Sendable, Hashable, Comparable, TextCodable {
    /// The first 32 bytes of the hash, big-endian: comparing the words compares the hex.
    private let words: (UInt64, UInt64, UInt64, UInt64)
    /// The last 32 bytes of a sha512; nil for a sha256.
    private let tail: Tail?

    /// A sha512's last 32 bytes.
    private final class Tail: Sendable {
        let words: (UInt64, UInt64, UInt64, UInt64)
        init(_ words: (UInt64, UInt64, UInt64, UInt64)) { self.words = words }
    }

    /// The hash's first 64 bits: a key for sets so large that whole digests would weigh (an
    /// estimate may treat two digests that share them as one; nothing that decides may).
    var leadingBits: UInt64 { words.0 }

    /// `sha256` or `sha512`.
    public var algorithm: String { tail == nil ? "sha256" : "sha512" }

    /// Lower-case hex of the hash.
    public var hex: String {
        let count = tail == nil ? 64 : 128
        return String(unsafeUninitializedCapacity: count) { buffer in
            Self.writeHex(words, into: buffer, at: 0)
            if let tail { Self.writeHex(tail.words, into: buffer, at: 64) }
            return count
        }
    }

    /// Parses `sha256:<64 hex>` or `sha512:<128 hex>`; anything else is refused.
    public init(parsing text: String) throws(EvictorCoreError) {
        var utf8 = text
        guard let parsed = utf8.withUTF8({ Self.parse($0) }) else { throw .invalidDigest(text) }
        self = parsed
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Digest? {
        guard text.count == 71 || text.count == 135, text[6] == UInt8(ascii: ":"),
            text[0] == UInt8(ascii: "s"), text[1] == UInt8(ascii: "h"), text[2] == UInt8(ascii: "a")
        else { return nil }
        let bits = (text[3], text[4], text[5])
        let isSHA512 = bits == (UInt8(ascii: "5"), UInt8(ascii: "1"), UInt8(ascii: "2"))
        guard isSHA512 ? text.count == 135 : (bits == (UInt8(ascii: "2"), UInt8(ascii: "5"), UInt8(ascii: "6")) && text.count == 71),
            let head = words(hex: text, at: 7)
        else { return nil }
        guard isSHA512 else { return Digest(words: head, tail: nil) }
        guard let rest = words(hex: text, at: 71) else { return nil }
        return Digest(words: head, tail: Tail(rest))
    }

    /// The sha256 digest of `bytes`.
    public static func sha256<Bytes: Sequence>(of bytes: Bytes) -> Digest where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return sha256(finalized: hasher.finalize())
    }

    /// The sha256 of a finished incremental hash.
    static func sha256(finalized hash: SHA256.Digest) -> Digest {
        Digest(words: Self.words(bytes: Array(hash)), tail: nil)
    }

    /// Whether `bytes` hash to this digest.
    public func matches<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        if let tail {
            let hash = Array(SHA512.hash(data: Array(bytes)))
            return Self.same(words, Self.words(bytes: Array(hash[0..<32])))
                && Self.same(tail.words, Self.words(bytes: Array(hash[32..<64])))
        }
        return Self.same(words, Self.words(bytes: Array(SHA256.hash(data: Array(bytes)))))
    }

    private init(words: (UInt64, UInt64, UInt64, UInt64), tail: Tail?) {
        self.words = words
        self.tail = tail
    }

    public var description: String { "\(algorithm):\(hex)" }

    /// `sha256:` and the first 12 hex digits, for messages.
    public var short: String { "\(algorithm):\(hex.prefix(12))" }

    public static func == (lhs: Digest, rhs: Digest) -> Bool {
        guard same(lhs.words, rhs.words) else { return false }
        switch (lhs.tail, rhs.tail) {
        case (nil, nil): return true
        case let (l?, r?): return same(l.words, r.words)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
        if let tail {
            hasher.combine(tail.words.0)
            hasher.combine(tail.words.1)
            hasher.combine(tail.words.2)
            hasher.combine(tail.words.3)
        }
    }

    /// The order of the text forms: sha256 before sha512, then the hex digits.
    public static func < (lhs: Digest, rhs: Digest) -> Bool {
        switch (lhs.tail, rhs.tail) {
        case (nil, .some): return true
        case (.some, nil): return false
        case let (l?, r?): return same(lhs.words, rhs.words) ? less(l.words, r.words) : less(lhs.words, rhs.words)
        case (nil, nil): return less(lhs.words, rhs.words)
        }
    }

    private typealias Words = (UInt64, UInt64, UInt64, UInt64)

    private static func same(_ l: Words, _ r: Words) -> Bool { l.0 == r.0 && l.1 == r.1 && l.2 == r.2 && l.3 == r.3 }

    private static func less(_ l: Words, _ r: Words) -> Bool {
        if l.0 != r.0 { return l.0 < r.0 }
        if l.1 != r.1 { return l.1 < r.1 }
        if l.2 != r.2 { return l.2 < r.2 }
        return l.3 < r.3
    }

    /// Four big-endian words from the 64 lower-case hex digits at `start`; nil on any other character.
    private static func words(hex text: UnsafeBufferPointer<UInt8>, at start: Int) -> Words? {
        var result: Words = (0, 0, 0, 0)
        for word in 0..<4 {
            var value: UInt64 = 0
            for index in (start + word * 16)..<(start + word * 16 + 16) {
                let character = text[index]
                let nibble: UInt8
                switch character {
                case 0x30...0x39: nibble = character &- 0x30
                case 0x61...0x66: nibble = character &- 0x61 &+ 10
                default: return nil
                }
                value = value << 4 | UInt64(nibble)
            }
            switch word {
            case 0: result.0 = value
            case 1: result.1 = value
            case 2: result.2 = value
            default: result.3 = value
            }
        }
        return result
    }

    /// Four big-endian words from 32 bytes.
    private static func words(bytes: [UInt8]) -> Words {
        var result: Words = (0, 0, 0, 0)
        for (offset, byte) in bytes.prefix(32).enumerated() {
            switch offset / 8 {
            case 0: result.0 = result.0 << 8 | UInt64(byte)
            case 1: result.1 = result.1 << 8 | UInt64(byte)
            case 2: result.2 = result.2 << 8 | UInt64(byte)
            default: result.3 = result.3 << 8 | UInt64(byte)
            }
        }
        return result
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// The 64 hex digits of `words` into `buffer` from `start`.
    private static func writeHex(_ words: Words, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        let digits = hexDigits.utf8Start
        var index = start
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 60, through: 0, by: -4) {
                buffer[index] = digits[Int((word >> UInt64(shift)) & 0xF)]
                index += 1
            }
        }
    }
}
