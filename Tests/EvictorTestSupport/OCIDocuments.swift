import Foundation

/// A content descriptor (OCI image spec).
public struct OCIDescriptor: Codable, Sendable, Equatable {
    public var mediaType: String
    public var digest: String
    public var size: Int
    public var platform: OCIPlatform?
    public var annotations: [String: String]?
}

/// An image's platform.
public struct OCIPlatform: Codable, Sendable, Equatable, Hashable {
    public var architecture: String
    public var os: String
    public var variant: String?

    public init(architecture: String, os: String = "linux", variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    public static let linuxAmd64 = OCIPlatform(architecture: "amd64")
    public static let linuxArm64 = OCIPlatform(architecture: "arm64", variant: "v8")
}

struct OCIManifestDocument: Codable {
    var schemaVersion = 2
    var mediaType = OCIMediaType.imageManifest
    var config: OCIDescriptor
    var layers: [OCIDescriptor]
    var annotations: [String: String]?
}

struct OCIIndexDocument: Codable {
    var schemaVersion = 2
    var mediaType: String? = OCIMediaType.imageIndex
    var manifests: [OCIDescriptor]
    var annotations: [String: String]?
}

struct OCIConfigDocument: Codable {
    struct RootFS: Codable {
        var type = "layers"
        var diff_ids: [String]
    }
    struct Settings: Codable {
        var Labels: [String: String]?
        var Cmd: [String]?
    }
    var created: String
    var architecture: String
    var os: String
    var variant: String?
    var config: Settings
    var rootfs: RootFS
}

enum CanonicalJSON {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
