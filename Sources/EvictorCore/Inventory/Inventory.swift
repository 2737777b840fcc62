import Foundation

/// What a source contributed to an inventory.
public struct InventorySourceSummary: Sendable, Hashable, Codable {
    public var name: String
    public var images: Int
    /// nil when the source succeeded; the error when it failed and `--allow-partial` let it.
    public var failure: String?

    public init(name: String, images: Int, failure: String? = nil) {
        self.name = name
        self.images = images
        self.failure = failure
    }
}

/// The images in use, merged from every source: what `evictor inventory` writes as
/// `images.json` and what planning and checking read.
public struct Inventory: Sendable, Codable {
    /// Identifies the file format.
    public static let formatName = "evictor-inventory"
    /// The version this build writes and reads.
    public static let formatVersion = 1

    public var format: String
    public var version: Int
    public var generatedAt: Date
    public var sources: [InventorySourceSummary]
    /// Sorted by reference; each reference once.
    public private(set) var images: [InventoryImage]

    public init(generatedAt: Date = Date(), sources: [InventorySourceSummary] = [], images: [InventoryImage] = []) {
        self.format = Self.formatName
        self.version = Self.formatVersion
        self.generatedAt = generatedAt
        self.sources = sources
        self.images = []
        add(images)
    }

    /// Adds images, merging sightings of the same reference.
    public mutating func add(_ new: [InventoryImage]) {
        var byReference: [String: InventoryImage] = [:]
        for image in images + new {
            let key = image.reference.description
            if var existing = byReference[key] {
                existing.absorb(image)
                byReference[key] = existing
            } else {
                var normalised = image
                normalised.seenAt = Array(Set(image.seenAt)).sorted()
                normalised.sources = Array(Set(image.sources)).sorted()
                byReference[key] = normalised
            }
        }
        images = byReference.values.sorted { $0.reference < $1.reference }
    }

    /// The images that live on `registry` (or one of its aliases).
    public func images(onRegistry registry: String, aliases: [String] = []) -> [InventoryImage] {
        images.filter { $0.reference.isOnRegistry(registry, aliases: aliases) }
    }
}
