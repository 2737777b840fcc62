import EvictorCore
import Foundation
import Synchronization

/// The links of one repository on disk: tags, manifest revisions, layer links, uploads.
public struct RepositoryLinks: Sendable {
    public struct Upload: Sendable {
        public var id: String
        public var startedAt: Date?
    }

    public var name: String
    /// tag -> the digest its `current/link` names; nil when the link is missing or malformed.
    public var tags: [String: Digest?]
    /// Digests with a valid revision link.
    public var revisions: [Digest]
    /// Revision directories whose link is malformed or does not name the directory's digest.
    public var brokenRevisions: [String]
    /// Digests of `_layers` links.
    public var layers: [Digest]
    public var uploads: [Upload]
}

extension StorageLayout {
    /// Every repository under `repositories/`: a directory holding `_manifests` or `_layers`
    /// (Distribution 2.8 treats a directory with `_layers` as a repository).
    public func repositoryNames() throws(StorageError) -> [String] {
        let root = "\(v2Path)/repositories"
        guard FileSystem.isDirectory(root) else { return [] }
        var names: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let entries = FileSystem.list(relative.isEmpty ? root : "\(root)/\(relative)")
            if entries.contains("_manifests") || entries.contains("_layers") { names.append(relative) }
            for entry in entries where !entry.hasPrefix("_") {
                let path = relative.isEmpty ? entry : "\(relative)/\(entry)"
                if FileSystem.isDirectory("\(root)/\(path)") { pending.append(path) }
            }
        }
        return names.sorted()
    }

    /// Reads the links of one repository.
    public func links(of repository: String) throws(StorageError) -> RepositoryLinks {
        let directory = repositoryPath(repository)
        var tags: [String: Digest?] = [:]
        for tag in FileSystem.list("\(directory)/_manifests/tags") {
            tags[tag] = Self.readLink(path: "\(directory)/_manifests/tags/\(tag)/current/link")
        }
        let (revisions, broken) = revisionLinks(of: repository)
        let layers = FileSystem.list("\(directory)/_layers/sha256").compactMap { hex in
            Self.readLink(path: "\(directory)/_layers/sha256/\(hex)/link")
        }
        let uploads = FileSystem.list("\(directory)/_uploads").map { id in
            let started = FileSystem.read("\(directory)/_uploads/\(id)/startedat", limit: 200)
                .flatMap { Timestamp.parse(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
            return RepositoryLinks.Upload(id: id, startedAt: started)
        }
        return RepositoryLinks(name: repository, tags: tags, revisions: revisions, brokenRevisions: broken, layers: layers.sorted(), uploads: uploads)
    }

    /// Valid revision links (sorted) and the names of malformed ones. A revision directory
    /// without a link is what the registry leaves after a DELETE and is neither.
    func revisionLinks(of repository: String) -> (valid: [Digest], broken: [String]) {
        var revisions: [Digest] = []
        var broken: [String] = []
        let revisionsPath = "\(repositoryPath(repository))/_manifests/revisions/sha256"
        for hex in FileSystem.list(revisionsPath) {
            let link = "\(revisionsPath)/\(hex)/link"
            guard FileSystem.exists(link) else { continue }
            if let digest = try? Digest(parsing: "sha256:\(hex)"), Self.readLink(path: link) == digest {
                revisions.append(digest)
            } else {
                broken.append(hex)
            }
        }
        return (revisions.sorted(), broken.sorted())
    }

    /// Every blob in `blobs/sha256` with its data size (nil when `data` is missing), read
    /// with the 256 prefix directories in parallel.
    public func blobs() -> [Digest: Int64?] {
        let base = "\(v2Path)/blobs/sha256"
        let prefixes = FileSystem.list(base)
        let parts = Mutex<[[(Digest, Int64?)]]>([])
        DispatchQueue.concurrentPerform(iterations: prefixes.count) { index in
            let prefix = "\(base)/\(prefixes[index])"
            var found: [(Digest, Int64?)] = []
            for hex in FileSystem.list(prefix) {
                guard let digest = try? Digest(parsing: "sha256:\(hex)") else { continue }
                found.append((digest, FileSystem.size("\(prefix)/\(hex)/data")))
            }
            parts.withLock { $0.append(found) }
        }
        var result: [Digest: Int64?] = [:]
        for part in parts.withLock({ $0 }) { for (digest, size) in part { result[digest] = size } }
        return result
    }
}
