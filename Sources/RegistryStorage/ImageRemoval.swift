import EvictorCore
import Foundation

/// What `storage rm` takes off disk for a repository or one tag (the original
/// delete-docker-registry-image): the tag, and the manifest revisions only it needed, so that
/// `storage gc` then frees their blobs.
public enum ImageRemoval {
    /// Paths relative to `docker/registry/v2`, with why each goes.
    public static func paths(layout: StorageLayout, repository: String, tag: String?) throws(StorageError) -> [(path: String, reason: String)] {
        let base = "repositories/\(repository)"
        guard !repository.isEmpty, !repository.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }),
            try layout.driver.exists(layout.repositoryPath(repository))
        else {
            throw .notFound("repository \(repository)")
        }
        guard let tag else { return [(base, "the whole repository")] }
        let links = try layout.links(of: repository)
        guard let entry = links.tags[tag] else { throw .notFound("tag \(repository):\(tag)") }
        var result = [("\(base)/_manifests/tags/\(tag)", "the tag")]
        guard let digest = entry else { return result }
        // Manifests other tags still reach (directly or as children of their indexes) stay.
        var needed: Set<Digest> = []
        for (other, target) in links.tags where other != tag {
            guard let target else { continue }
            needed.insert(target)
            if case .manifest(let manifest) = try StoredManifest.read(target, in: layout) { needed.formUnion(manifest.children.map(\.digest)) }
        }
        var candidates = [digest]
        if case .manifest(let manifest) = try StoredManifest.read(digest, in: layout) { candidates += manifest.children.map(\.digest) }
        for candidate in candidates where !needed.contains(candidate) && links.revisions.contains(candidate) {
            result.append(
                (
                    "\(base)/_manifests/revisions/sha256/\(candidate.hex)",
                    candidate == digest ? "manifest of \(tag), no other tag needs it" : "child of \(tag)'s index, no other tag needs it"
                ))
        }
        return result
    }
}
