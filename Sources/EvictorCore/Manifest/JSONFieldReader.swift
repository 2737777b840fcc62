/// Reads the fields Evictor keeps from a JSON document straight from its bytes, for the
/// common case, at a fraction of JSONDecoder's cost (a `check` or `plan` reads a manifest per
/// tag, a plan a config per image). It accepts only what it fully understands and gives up
/// (nil) on anything else: an escape in a string it keeps, a `\u` surrogate anywhere, a
/// number that is not a plain integer where one is expected, a key given twice, a field of an
/// unexpected type, nesting deeper than 64, anything after the document. The caller then uses
/// JSONDecoder, which keeps the last word on what is valid and on what the error says. The
/// shapes it reads: `manifest()` (JSONFieldReader.swift), `imageConfig()` (ImageConfig.swift).
struct JSONFieldReader: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// What `shape` reads from the whole document, or nil when the reader gives up.
    static func read<Value>(_ bytes: [UInt8], _ shape: (inout JSONFieldReader) -> Value?) -> Value? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONFieldReader(buffer)
            guard let value = shape(&reader) else { return nil }
            reader.skipWhitespace()
            return reader.index == buffer.count ? value : nil
        }
    }

    // MARK: - JSON

    /// `null` (`target` stays nil, as JSONDecoder's `decodeIfPresent` leaves it) or a value
    /// `read` takes into `target`.
    mutating func optional<Value>(into target: inout Value?, _ read: (inout JSONFieldReader) -> Value?) -> Bool {
        skipWhitespace()
        if literal("null") { return true }
        return required(into: &target, read)
    }

    /// A value `read` takes (`null` or anything it cannot take gives up).
    mutating func required<Value>(into target: inout Value?, _ read: (inout JSONFieldReader) -> Value?) -> Bool {
        target = read(&self)
        return target != nil
    }

    /// `{ "key": value, ... }`, each value read by `member` (which returns false to give up).
    /// A key given twice gives up.
    mutating func object(_ member: (inout JSONFieldReader, String) -> Bool) -> Bool {
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if take(UInt8(ascii: "}")) { return true }
        var keys: Set<String> = []
        while true {
            skipWhitespace()
            guard let key = string(), keys.insert(key).inserted else { return false }
            skipWhitespace()
            guard take(UInt8(ascii: ":")), member(&self, key) else { return false }
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "}"))
        }
    }

    /// `[ value, ... ]`, each value read by `element`.
    mutating func array(_ element: (inout JSONFieldReader) -> Bool) -> Bool {
        skipWhitespace()
        guard take(UInt8(ascii: "[")) else { return false }
        skipWhitespace()
        if take(UInt8(ascii: "]")) { return true }
        while true {
            skipWhitespace()
            guard element(&self) else { return false }
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            return take(UInt8(ascii: "]"))
        }
    }

    /// A string without escapes or control characters, valid UTF-8; nil for anything else.
    mutating func string() -> String? {
        skipWhitespace()
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            index += 1
        }
        return nil
    }

    /// `-?(0|[1-9][0-9]*)` not followed by a fraction or exponent, within Int64.
    mutating func integer() -> Int64? {
        skipWhitespace()
        let negative = take(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { return nil }
        if bytes[index] == UInt8(ascii: "0"), index + 1 < bytes.count, isDigit(bytes[index + 1]) { return nil }
        var value: Int64 = 0
        while index < bytes.count, isDigit(bytes[index]) {
            let digit = Int64(bytes[index] - UInt8(ascii: "0"))
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(digit)
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
            index += 1
        }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
        return negative ? -value : value
    }

    /// An object of strings (`[String: String]`).
    mutating func stringMap() -> [String: String]? {
        var result: [String: String] = [:]
        let complete = object { reader, key in
            guard let value = reader.string() else { return false }
            result[key] = value
            return true
        }
        return complete ? result : nil
    }

    /// Skips one JSON value, checking it as it goes. Skipped strings may hold escapes (a
    /// config's history does), except `\u` surrogates, whose pairing is left to JSONDecoder.
    mutating func skipValue(depth: Int) -> Bool {
        guard depth <= 64 else { return false }
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""): return skipString()
        case UInt8(ascii: "{"): return object { reader, _ in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): return array { reader in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    /// Skips a string: escapes checked, no control characters, valid UTF-8.
    private mutating func skipString() -> Bool {
        guard take(UInt8(ascii: "\"")) else { return false }
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return ascii || Self.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[start..<index - 1]))
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return false }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count else { return false }
                    var scalar: UInt32 = 0
                    for _ in 0..<4 {
                        guard let digit = Self.hexValue(bytes[index]) else { return false }
                        scalar = scalar << 4 | digit
                        index += 1
                    }
                    if (0xD800...0xDFFF).contains(scalar) { return false }
                default:
                    return false
                }
            case 0..<0x20:
                return false
            case 0x80...:
                ascii = false
            default:
                continue
            }
        }
        return false
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// A JSON number: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    private mutating func number() -> Bool {
        _ = take(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { return false }
        if take(UInt8(ascii: "0")) {
            if index < bytes.count, isDigit(bytes[index]) { return false }
        } else {
            skipDigits()
        }
        if take(UInt8(ascii: ".")) {
            guard index < bytes.count, isDigit(bytes[index]) else { return false }
            skipDigits()
        }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard index < bytes.count, isDigit(bytes[index]) else { return false }
            skipDigits()
        }
        return true
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
