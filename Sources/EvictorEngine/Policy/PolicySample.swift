import EvictorCore
import Foundation

/// A small repository for `policy check`'s trial run: a few versions, one in use, an index.
enum PolicySample {
    static let tagNames = ["latest", "1.2.0", "1.1.0", "1.0.0", "0.9.0"]

    static func repository(now: Date) -> RepositorySnapshot {
        var images: [Digest: ImageRecord] = [:]
        var tags: [TagRecord] = []
        for (age, name) in tagNames.enumerated() {
            let digest = Digest.sha256(of: Array("sample:\(name)".utf8))
            images[digest] = ImageRecord(
                digest: digest, mediaType: "application/vnd.oci.image.manifest.v1+json", created: now.addingTimeInterval(-Double(age) * 30 * 86_400),
                size: 1_000_000, platforms: ["linux/amd64"])
            tags.append(TagRecord(name: name, digest: digest, inUse: name == "1.1.0", usedBy: name == "1.1.0" ? ["sample/deployment"] : []))
        }
        return RepositorySnapshot(name: "sample/app", tags: tags, images: images, inUse: true, usedBy: ["sample/deployment"])
    }
}
