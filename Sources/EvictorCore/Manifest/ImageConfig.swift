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
        struct Raw: Decodable {
            struct Inner: Decodable { var Labels: [String: String]? }
            var created: String?
            var architecture: String?
            var os: String?
            var variant: String?
            var config: Inner?
        }
        guard let raw = try? JSONDecoder().decode(Raw.self, from: Data(bytes)) else { return .empty }
        var platform: Platform?
        if let os = raw.os, let architecture = raw.architecture { platform = Platform(architecture: architecture, os: os, variant: raw.variant) }
        return ImageConfig(created: raw.created.flatMap(Timestamp.parse), labels: raw.config?.Labels ?? [:], platform: platform)
    }
}
