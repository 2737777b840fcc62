import EvictorCore
import Foundation

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
        let root = repositoriesDirectory
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        var names: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : root.appendingPathComponent(relative)
            let entries: [String]
            do { entries = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
                throw .cannotRead(directory.path, reason: error.localizedDescription)
            }
            if entries.contains("_manifests") || entries.contains("_layers") { names.append(relative) }
            for entry in entries where !entry.hasPrefix("_") {
                let path = relative.isEmpty ? entry : "\(relative)/\(entry)"
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDirectory), isDirectory.boolValue {
                    pending.append(path)
                }
            }
        }
        return names.sorted()
    }

    /// Reads the links of one repository.
    public func links(of repository: String) throws(StorageError) -> RepositoryLinks {
        let directory = repositoryDirectory(repository)
        var tags: [String: Digest?] = [:]
        for tag in Self.entries(directory.appendingPathComponent("_manifests/tags")) {
            tags[tag] = Self.readLink(directory.appendingPathComponent("_manifests/tags/\(tag)/current/link"))
        }
        var revisions: [Digest] = [], broken: [String] = []
        for hex in Self.entries(directory.appendingPathComponent("_manifests/revisions/sha256")) {
            let link = directory.appendingPathComponent("_manifests/revisions/sha256/\(hex)/link")
            // A directory without a link is what the registry leaves after a DELETE.
            guard FileManager.default.fileExists(atPath: link.path) else { continue }
            if let digest = try? Digest(parsing: "sha256:\(hex)"), Self.readLink(link) == digest {
                revisions.append(digest)
            } else {
                broken.append(hex)
            }
        }
        let layers = Self.entries(directory.appendingPathComponent("_layers/sha256")).compactMap { hex in
            Self.readLink(directory.appendingPathComponent("_layers/sha256/\(hex)/link"))
        }
        let uploads = Self.entries(directory.appendingPathComponent("_uploads")).map { id in
            let started = (try? String(contentsOf: directory.appendingPathComponent("_uploads/\(id)/startedat"), encoding: .utf8)).flatMap { Timestamp.parse($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return RepositoryLinks.Upload(id: id, startedAt: started)
        }
        return RepositoryLinks(name: repository, tags: tags, revisions: revisions.sorted(), brokenRevisions: broken.sorted(), layers: layers.sorted(), uploads: uploads)
    }

    /// Every blob in `blobs/sha256` with its data size (nil when `data` is missing).
    public func blobs() -> [Digest: Int64?] {
        let base = v2.appendingPathComponent("blobs/sha256")
        var result: [Digest: Int64?] = [:]
        for prefix in Self.entries(base) {
            for hex in Self.entries(base.appendingPathComponent(prefix)) {
                guard let digest = try? Digest(parsing: "sha256:\(hex)") else { continue }
                let attributes = try? FileManager.default.attributesOfItem(atPath: base.appendingPathComponent("\(prefix)/\(hex)/data").path)
                result[digest] = (attributes?[.size] as? NSNumber)?.int64Value
            }
        }
        return result
    }

    static func entries(_ directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }
    }
}
