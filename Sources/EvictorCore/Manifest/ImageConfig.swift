import Foundation

/// The parts of an image config blob a retention policy uses.
public struct ImageConfig: Sendable, Hashable {
    public var created: Date?
    public var labels: [String: String]
    public var platform: Platform?

    /// A config that told nothing.
    public static let empty = ImageConfig(created: nil, labels: [:], platform: nil)

    /// Largest config blob read (real ones are a few KiB; histories can reach hundreds).
    public static let sizeLimit = 4 << 20

    /// Parses a config blob; anything unreadable yields an empty config rather than failing a plan.
    public static func parse(_ bytes: [UInt8]) -> ImageConfig {
        guard let raw = JSONFieldReader.read(bytes, { $0.imageConfig() }) ?? decodeRaw(bytes) else { return .empty }
        var platform: Platform?
        if let os = raw.os, let architecture = raw.architecture { platform = Platform(architecture: architecture, os: os, variant: raw.variant) }
        return ImageConfig(created: raw.created.flatMap(Timestamp.parse), labels: raw.config?.Labels ?? [:], platform: platform)
    }

    /// The fields by JSONDecoder: for what `JSONFieldReader` leaves to it.
    static func decodeRaw(_ bytes: [UInt8]) -> RawImageConfig? {
        try? JSONDecoder().decode(RawImageConfig.self, from: Data(bytes))
    }
}

/// The config fields `ImageConfig` keeps, as the JSON has them.
struct RawImageConfig: Decodable, Equatable {
    struct Inner: Decodable, Equatable { var Labels: [String: String]? }
    var created: String?
    var architecture: String?
    var os: String?
    var variant: String?
    var config: Inner?
}

/// The config's shape for `JSONFieldReader`, as JSONDecoder would decode `RawImageConfig`.
extension JSONFieldReader {
    mutating func imageConfig() -> RawImageConfig? {
        var raw = RawImageConfig()
        let complete = object { reader, key in
            switch key {
            case "created": return reader.optional(into: &raw.created) { $0.string() }
            case "architecture": return reader.optional(into: &raw.architecture) { $0.string() }
            case "os": return reader.optional(into: &raw.os) { $0.string() }
            case "variant": return reader.optional(into: &raw.variant) { $0.string() }
            case "config": return reader.optional(into: &raw.config) { $0.containerConfig() }
            default: return reader.skipValue(depth: 1)
            }
        }
        return complete ? raw : nil
    }

    private mutating func containerConfig() -> RawImageConfig.Inner? {
        var labels: [String: String]?
        let complete = object { reader, key in
            key == "Labels" ? reader.optional(into: &labels) { $0.stringMap() } : reader.skipValue(depth: 2)
        }
        return complete ? RawImageConfig.Inner(Labels: labels) : nil
    }
}
