import Foundation
import Testing

/// SplitMix64: a tiny generator whose sequence depends only on its seed, on every machine and
/// Swift version (unlike `SystemRandomNumberGenerator`), so a fuzz failure can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniformly chosen element (the collection must not be empty).
    mutating func pick<C: Collection>(_ collection: C) -> C.Element where C.Index == Int {
        collection[collection.startIndex + Int.random(in: 0..<collection.count, using: &self)]
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < p
    }
}

/// How long and from which seed the fuzz targets run.
///
/// CI runs each target for `defaultSeconds` from `defaultSeed`. `EVICTOR_FUZZ_SECONDS=60` runs
/// longer; `EVICTOR_FUZZ_SEED=0x...` (printed by every run and in every failure) replays a run.
enum Fuzz {
    /// Seconds per target in CI: four targets stay under ten seconds.
    static let defaultSeconds = 2.0
    /// The seed CI runs from ("EVICTOR1").
    static let defaultSeed: UInt64 = 0x4556_4943_544F_5231
    /// An input taking longer than this to parse counts as a hang.
    static let slowInput: Duration = .seconds(2)

    static var seconds: Double {
        ProcessInfo.processInfo.environment["EVICTOR_FUZZ_SECONDS"].flatMap(Double.init) ?? defaultSeconds
    }

    static var seed: UInt64 {
        guard let text = ProcessInfo.processInfo.environment["EVICTOR_FUZZ_SEED"] else { return defaultSeed }
        if text.lowercased().hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) ?? defaultSeed }
        return UInt64(text) ?? defaultSeed
    }

    /// What one target's run did.
    struct Outcome {
        var inputs = 0
        /// The first property that failed (the run stops there), with how to replay it.
        var failure: String?
    }

    /// Feeds generated inputs to `check` until the time budget is spent or a property fails.
    /// `check` returns nil when every property held, else what went wrong. Each target runs
    /// from its own seed (the run's seed mixed with the target's name), printed for replay.
    static func run(_ target: String, _ check: (inout SeededGenerator) -> String?) -> Outcome {
        let seed = seed
        var generator = SeededGenerator(seed: seed ^ fnv1a(target))
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(seconds * 1000))
        var outcome = Outcome()
        while clock.now < deadline {
            outcome.inputs += 1
            let started = clock.now
            if var problem = check(&generator) {
                problem += " (input #\(outcome.inputs); replay with EVICTOR_FUZZ_SEED=0x\(String(seed, radix: 16)))"
                outcome.failure = problem
                break
            }
            if clock.now - started > slowInput {
                outcome.failure = "input #\(outcome.inputs) took \(clock.now - started) (replay with EVICTOR_FUZZ_SEED=0x\(String(seed, radix: 16)))"
                break
            }
        }
        print("fuzz \(target): \(outcome.inputs) inputs in \(seconds) s from seed 0x\(String(seed, radix: 16))")
        return outcome
    }

    /// FNV-1a of a name, to give each target its own sequence.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Up to 120 bytes of an input, printable, for failure messages.
    static func preview(_ bytes: [UInt8]) -> String {
        let shown = bytes.prefix(120).map { byte -> String in
            (0x20..<0x7F).contains(byte) && byte != UInt8(ascii: "\\") ? String(UnicodeScalar(byte)) : String(format: "\\x%02x", byte)
        }.joined()
        return "\"\(shown)\(bytes.count > 120 ? "..." : "")\" (\(bytes.count) bytes)"
    }

    static func preview(_ text: String) -> String {
        preview(Array(text.utf8))
    }
}

/// Byte-level mutations of JSON documents.
enum JSONMutator {
    /// One to three mutations of `seed` (or, now and then, pure random bytes).
    static func mutate(_ seed: [UInt8], _ g: inout SeededGenerator) -> [UInt8] {
        if g.chance(0.05) { return randomBytes(&g, count: Int.random(in: 0...512, using: &g)) }
        var bytes = seed
        for _ in 0..<Int.random(in: 1...3, using: &g) {
            switch Int.random(in: 0..<10, using: &g) {
            case 0: flip(&bytes, &g)
            case 1: truncate(&bytes, &g)
            case 2: insert(&bytes, at: position(bytes, &g), randomBytes(&g, count: Int.random(in: 1...16, using: &g)))
            case 3: insert(&bytes, at: position(bytes, &g), Array(g.pick(oddText).utf8))
            case 4: duplicateKey(&bytes, &g)
            case 5: replaceNumber(&bytes, &g)
            case 6: nest(&bytes, &g)
            case 7: duplicateSlice(&bytes, &g)
            case 8: replaceValue(&bytes, &g)
            default: insert(&bytes, at: position(bytes, &g), g.pick(oddBytes))
            }
        }
        return bytes
    }

    /// Text that trips parsers: control characters, NUL, escapes, odd Unicode.
    static let oddText = [
        "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\n", "\t", "\"", "\\", "\\u0000", "\\ud800", "\\udfff\\ud800", "é", "\u{FEFF}",
        "\u{FFFF}", "\u{10FFFF}", "🧨", "\u{202E}", "{", "}", "[", "]", ",", ":", "null", "true",
    ]

    /// Byte sequences that are not valid UTF-8.
    static let oddBytes: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80]]

    /// Numbers JSON decoders choke on.
    static let hugeNumbers = [
        "1e400", "-1e400", "99999999999999999999999999999", "9223372036854775808", "-9223372036854775809", "0.0000000000000000000000001",
        "1.7976931348623157e309", "-0", "0e0", "1E+2", "NaN", "Infinity", "01", "1.", ".5", "0x10",
    ]

    static func randomBytes(_ g: inout SeededGenerator, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    static func position(_ bytes: [UInt8], _ g: inout SeededGenerator) -> Int {
        Int.random(in: 0...bytes.count, using: &g)
    }

    static func insert(_ bytes: inout [UInt8], at index: Int, _ piece: [UInt8]) {
        bytes.insert(contentsOf: piece, at: index)
    }

    static func flip(_ bytes: inout [UInt8], _ g: inout SeededGenerator) {
        guard !bytes.isEmpty else { return }
        for _ in 0..<Int.random(in: 1...8, using: &g) {
            let index = Int.random(in: 0..<bytes.count, using: &g)
            if g.chance(0.5) { bytes[index] ^= 1 << UInt8.random(in: 0...7, using: &g) } else { bytes[index] = UInt8.random(in: 0...255, using: &g) }
        }
    }

    static func truncate(_ bytes: inout [UInt8], _ g: inout SeededGenerator) {
        bytes.removeLast(bytes.count - Int.random(in: 0...bytes.count, using: &g))
    }

    static func duplicateSlice(_ bytes: inout [UInt8], _ g: inout SeededGenerator) {
        guard !bytes.isEmpty else { return }
        let start = Int.random(in: 0..<bytes.count, using: &g)
        let end = min(bytes.count, start + Int.random(in: 1...64, using: &g))
        insert(&bytes, at: position(bytes, &g), Array(bytes[start..<end]))
    }

    /// Ranges of `"key":` in the document.
    static func keys(_ bytes: [UInt8]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\"") else {
                index += 1
                continue
            }
            var end = index + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
            var after = end + 1
            while after < bytes.count, bytes[after] == UInt8(ascii: " ") { after += 1 }
            if after < bytes.count, bytes[after] == UInt8(ascii: ":") { result.append(index..<(after + 1)) }
            index = end + 1
        }
        return result
    }

    /// Repeats a key of the document, with another value, right after an opening brace.
    static func duplicateKey(_ bytes: inout [UInt8], _ g: inout SeededGenerator) {
        let found = keys(bytes)
        let braces = bytes.indices.filter { bytes[$0] == UInt8(ascii: "{") }
        guard !found.isEmpty, !braces.isEmpty else { return }
        let key = Array(bytes[g.pick(found)])
        let huge = g.pick(hugeNumbers)
        let value = g.pick(["1", "\"x\"", "null", "[]", "{}", "true", "\"sha256:00\"", huge])
        insert(&bytes, at: g.pick(braces) + 1, key + Array(" \(value),".utf8))
    }

    /// Replaces a run of digits with a huge or malformed number.
    static func replaceNumber(_ bytes: inout [UInt8], _ g: inout SeededGenerator) {
        let digits = bytes.indices.filter { (0x30...0x39).contains(bytes[$0]) && ($0 == 0 || !(0x30...0x39).contains(bytes[$0 - 1])) }
        guard !digits.isEmpty else { return }
        let start = g.pick(digits)
        var end = start
        while end < bytes.count, (0x30...0x39).contains(bytes[end]) { end += 1 }
        bytes.replaceSubrange(start..<end, with: Array(g.pick(hugeNumbers).utf8))
    }

    /// Replaces the value after a key with another JSON value.
    static func replaceValue(_ bytes: inout [UInt8], _ g: inout SeededGenerator) {
        let found = keys(bytes)
        guard !found.isEmpty else { return }
        let start = g.pick(found).upperBound
        var end = start
        var depth = 0
        var inString = false
        while end < bytes.count {
            let byte = bytes[end]
            if inString {
                if byte == UInt8(ascii: "\\") { end += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                if depth == 0 { break }
                depth -= 1
            } else if byte == UInt8(ascii: ","), depth == 0 {
                break
            }
            end += 1
        }
        let value = g.pick([" null", " \"\"", " []", " {}", " -1", " \"\u{0}\"", " \"\\u0000\"", " 1e400", " true", " \"🧨\"", " [[[[]]]]"])
        bytes.replaceSubrange(start..<min(end, bytes.count), with: Array(value.utf8))
    }

    /// Nests a value (or the whole document) in brackets, now and then 100,000 deep.
    static func nest(_ bytes: inout [UInt8], _ g: inout SeededGenerator) {
        let depth = g.chance(0.1) ? 100_000 : Int.random(in: 1...600, using: &g)
        let open: UInt8 = g.chance(0.5) ? UInt8(ascii: "[") : UInt8(ascii: "{")
        let opening = open == UInt8(ascii: "[") ? [UInt8](repeating: open, count: depth) : Array(String(repeating: "{\"a\":", count: depth).utf8)
        let closing = [UInt8](repeating: open == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}"), count: g.chance(0.8) ? depth : 0)
        if g.chance(0.3) {
            bytes = opening + bytes + closing
        } else {
            let found = keys(bytes)
            guard !found.isEmpty else { return }
            let at = g.pick(found).upperBound
            bytes.replaceSubrange(at..<at, with: opening + Array("1".utf8) + closing)
        }
    }
}
