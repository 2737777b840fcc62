/// The manifest's shape for `JSONFieldReader`: what `Manifest.parse` keeps, as JSONDecoder
/// would decode `RawManifest`.
extension JSONFieldReader {
    /// The manifest fields, or nil (the document is left to JSONDecoder).
    mutating func manifest() -> RawManifest? {
        var manifest = RawManifest()
        let complete = object { reader, key in
            switch key {
            case "schemaVersion": return reader.optional(into: &manifest.schemaVersion) { $0.integer().flatMap { Int(exactly: $0) } }
            case "mediaType": return reader.optional(into: &manifest.mediaType) { $0.string() }
            case "config": return reader.optional(into: &manifest.config) { $0.descriptor() }
            case "layers": return reader.optional(into: &manifest.layers) { $0.descriptors() }
            case "manifests": return reader.optional(into: &manifest.manifests) { $0.descriptors() }
            case "subject": return reader.optional(into: &manifest.subject) { $0.descriptor() }
            case "artifactType": return reader.optional(into: &manifest.artifactType) { $0.string() }
            case "annotations": return reader.optional(into: &manifest.annotations) { $0.stringMap() }
            case "fsLayers": return reader.optional(into: &manifest.fsLayers) { $0.fsLayers() }
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
            case "mediaType": return reader.optional(into: &mediaType) { $0.string() }
            case "digest": return reader.required(into: &digest) { $0.string() }
            case "size": return reader.required(into: &size) { $0.integer() }
            case "platform": return reader.optional(into: &platform) { $0.platform() }
            case "artifactType": return reader.optional(into: &artifactType) { $0.string() }
            case "annotations": return reader.optional(into: &annotations) { $0.stringMap() }
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
            case "architecture": return reader.required(into: &architecture) { $0.string() }
            case "os": return reader.required(into: &os) { $0.string() }
            case "variant": return reader.optional(into: &variant) { $0.string() }
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
                key == "blobSum" ? reader.required(into: &blobSum) { $0.string() } : reader.skipValue(depth: 2)
            }
            guard layer, let blobSum else { return false }
            result.append(RawManifest.FSLayer(blobSum: blobSum))
            return true
        }
        return complete ? result : nil
    }
}
