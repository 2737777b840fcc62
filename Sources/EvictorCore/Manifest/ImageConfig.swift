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
            case "created":
                return reader.optional {
                    raw.created = $0.string()
                    return raw.created != nil
                }
            case "architecture":
                return reader.optional {
                    raw.architecture = $0.string()
                    return raw.architecture != nil
                }
            case "os":
                return reader.optional {
                    raw.os = $0.string()
                    return raw.os != nil
                }
            case "variant":
                return reader.optional {
                    raw.variant = $0.string()
                    return raw.variant != nil
                }
            case "config":
                return reader.optional {
                    var labels: [String: String]?
                    let inner = $0.object { reader, key in
                        guard key == "Labels" else { return reader.skipValue(depth: 2) }
                        return reader.optional {
                            labels = $0.stringMap()
                            return labels != nil
                        }
                    }
                    raw.config = RawImageConfig.Inner(Labels: labels)
                    return inner
                }
            default: return reader.skipValue(depth: 1)
            }
        }
        return complete ? raw : nil
    }
}
