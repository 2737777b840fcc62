/// The manifest's shape for `JSONFieldReader`: what `Manifest.parse` keeps, as JSONDecoder
/// would decode `RawManifest`.
extension JSONFieldReader {
    /// The manifest fields, or nil (the document is left to JSONDecoder).
    mutating func manifest() -> RawManifest? {
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
}
