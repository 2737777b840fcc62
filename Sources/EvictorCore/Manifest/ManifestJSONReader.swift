/// Reads the manifest fields Evictor keeps straight from the bytes, for the common case, at a
/// fraction of JSONDecoder's cost (a `check` or `plan` parses a manifest per tag). It accepts
/// only what it fully understands and returns nil for anything else (an escape in a string, a
/// number that is not a plain integer where one is expected, a key given twice, a field of an
/// unexpected type, nesting deeper than 64, anything after the document): JSONDecoder then
/// reads the document, so it keeps the last word on what is valid and what the error says.
/// Where both read a document, they give the same fields (ManifestJSONReaderTests).
struct ManifestJSONReader: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The fields, or nil when the document is not one this reader handles.
    static func read(_ bytes: [UInt8]) -> RawManifest? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = ManifestJSONReader(buffer)
            guard let manifest = reader.manifest() else { return nil }
            reader.skipWhitespace()
            return reader.index == buffer.count ? manifest : nil
        }
    }

    // MARK: - The manifest's shape

    private mutating func manifest() -> RawManifest? {
        var manifest = RawManifest()
        let complete = object { reader, key in
            switch key {
            case "schemaVersion":
                return reader.optional {
                    manifest.schemaVersion = $0.integer().flatMap { Int(exactly: $0) }
                    return manifest.schemaVersion != nil
                }
            case "mediaType":
                return reader.optional {
                    manifest.mediaType = $0.string()
                    return manifest.mediaType != nil
                }
            case "config":
                return reader.optional {
                    manifest.config = $0.descriptor()
                    return manifest.config != nil
                }
            case "layers":
                return reader.optional {
                    manifest.layers = $0.descriptors()
                    return manifest.layers != nil
                }
            case "manifests":
                return reader.optional {
                    manifest.manifests = $0.descriptors()
                    return manifest.manifests != nil
                }
            case "subject":
                return reader.optional {
                    manifest.subject = $0.descriptor()
                    return manifest.subject != nil
                }
            case "artifactType":
                return reader.optional {
                    manifest.artifactType = $0.string()
                    return manifest.artifactType != nil
                }
            case "annotations":
                return reader.optional {
                    manifest.annotations = $0.stringMap()
                    return manifest.annotations != nil
                }
            case "fsLayers":
                return reader.optional {
                    manifest.fsLayers = $0.fsLayers()
                    return manifest.fsLayers != nil
                }
            default: return reader.skipValue(depth: 1)
            }
        }
        return complete ? manifest : nil
    }

    private mutating func descriptor() -> RawDescriptor? {
        var mediaType: String?
        var digest: String?
        var size: Int64?
        var platform: Platform?
        var artifactType: String?
        var annotations: [String: String]?
        let complete = object { reader, key in
            switch key {
            case "mediaType":
                return reader.optional {
                    mediaType = $0.string()
                    return mediaType != nil
                }
            case "digest":
                digest = reader.string()
                return digest != nil
            case "size":
                size = reader.integer()
                return size != nil
            case "platform":
                return reader.optional {
                    platform = $0.platform()
                    return platform != nil
                }
            case "artifactType":
                return reader.optional {
                    artifactType = $0.string()
                    return artifactType != nil
                }
            case "annotations":
                return reader.optional {
                    annotations = $0.stringMap()
                    return annotations != nil
                }
            default: return reader.skipValue(depth: 2)
            }
        }
        guard complete, let digest, let size else { return nil }
        return RawDescriptor(
            mediaType: mediaType, digest: digest, size: size, platform: platform, artifactType: artifactType, annotations: annotations)
    }

    private mutating func descriptors() -> [RawDescriptor]? {
        var result: [RawDescriptor] = []
        let complete = array { reader in
            guard let descriptor = reader.descriptor() else { return false }
            result.append(descriptor)
            return true
        }
        return complete ? result : nil
    }

    private mutating func platform() -> Platform? {
        var architecture: String?
        var os: String?
        var variant: String?
        let complete = object { reader, key in
            switch key {
            case "architecture":
                architecture = reader.string()
                return architecture != nil
            case "os":
                os = reader.string()
                return os != nil
            case "variant":
                return reader.optional {
                    variant = $0.string()
                    return variant != nil
                }
            default: return reader.skipValue(depth: 3)
            }
        }
        guard complete, let architecture, let os else { return nil }
        return Platform(architecture: architecture, os: os, variant: variant)
    }

    private mutating func fsLayers() -> [RawManifest.FSLayer]? {
        var result: [RawManifest.FSLayer] = []
        let complete = array { reader in
            var blobSum: String?
            let layer = reader.object { reader, key in
                guard key == "blobSum" else { return reader.skipValue(depth: 2) }
                blobSum = reader.string()
                return blobSum != nil
            }
            guard layer, let blobSum else { return false }
            result.append(RawManifest.FSLayer(blobSum: blobSum))
            return true
        }
        return complete ? result : nil
    }

    private mutating func stringMap() -> [String: String]? {
        var result: [String: String] = [:]
        let complete = object { reader, key in
            guard let value = reader.string() else { return false }
            result[key] = value
            return true
        }
        return complete ? result : nil
    }

    // MARK: - JSON

    /// `null` (the field stays nil, as JSONDecoder's `decodeIfPresent` leaves it) or a value
    /// `read` takes.
    private mutating func optional(_ read: (inout ManifestJSONReader) -> Bool) -> Bool {
        skipWhitespace()
        if literal("null") { return true }
        return read(&self)
    }

    /// `{ "key": value, ... }`, each value read by `member` (which returns false to give up).
    /// A key given twice gives up.
    private mutating func object(_ member: (inout ManifestJSONReader, String) -> Bool) -> Bool {
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
    private mutating func array(_ element: (inout ManifestJSONReader) -> Bool) -> Bool {
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
    private mutating func string() -> String? {
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
    private mutating func integer() -> Int64? {
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

    /// Skips one JSON value, checking it as it goes (strings as `string()` takes them).
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth <= 64 else { return false }
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"): return object { reader, _ in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): return array { reader in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
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
