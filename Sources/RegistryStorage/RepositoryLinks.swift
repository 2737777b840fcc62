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
    /// (Distribution 2.8 treats a directory with `_layers` as a repository). Each level of the
    /// tree is listed in parallel.
    public func repositoryNames() throws(StorageError) -> [String] {
        if driver.prefersWalks { return try walkRepositories().keys.sorted() }
        let root = "\(v2Path)/repositories"
        guard try driver.isDirectory(root) else { return [] }
        var names: [String] = []
        var level = [""]
        while !level.isEmpty {
            let current = level
            let found = Mutex<(names: [String], next: [String])>(([], []))
            try forEach(current.count) { index throws(StorageError) in
                let relative = current[index]
                let directories = try driver.listDirectories(relative.isEmpty ? root : "\(root)/\(relative)")
                let isRepository = directories.contains("_manifests") || directories.contains("_layers")
                let children = directories.filter { !$0.hasPrefix("_") }.map { relative.isEmpty ? $0 : "\(relative)/\($0)" }
                found.withLock {
                    if isRepository { $0.names.append(relative) }
                    $0.next += children
                }
            }
            let (levelNames, next) = found.withLock { $0 }
            names += levelNames
            level = next
        }
        return names.sorted()
    }

    /// Reads the links of one repository (on a driver that prefers walks, from one walk of it).
    public func links(of repository: String) throws(StorageError) -> RepositoryLinks {
        let directory = repositoryPath(repository)
        if driver.prefersWalks {
            var files = RepositoryFiles()
            for file in try driver.walk(directory) {
                let components = file.path.split(separator: "/")
                if components.first?.hasPrefix("_") == true { files.add(components[...], etag: file.etag) }
            }
            return try links(of: repository, files: files)
        }
        var tags: [String: Digest?] = [:]
        for tag in try driver.list("\(directory)/_manifests/tags") {
            tags[tag] = try readLink(path: "\(directory)/_manifests/tags/\(tag)/current/link")
        }
        let (revisions, broken) = try revisionLinks(of: repository)
        var layers: [Digest] = []
        for hex in try driver.list("\(directory)/_layers/sha256") {
            if let digest = try readLink(path: "\(directory)/_layers/sha256/\(hex)/link") { layers.append(digest) }
        }
        var uploads: [RepositoryLinks.Upload] = []
        for id in try driver.list("\(directory)/_uploads") {
            let started = try driver.read("\(directory)/_uploads/\(id)/startedat", limit: 200)
                .flatMap { Timestamp.parse(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) }
            uploads.append(RepositoryLinks.Upload(id: id, startedAt: started))
        }
        return RepositoryLinks(name: repository, tags: tags, revisions: revisions, brokenRevisions: broken, layers: layers.sorted(), uploads: uploads)
    }

    /// Valid revision links (sorted) and the names of malformed ones. A revision directory
    /// without a link is what the registry leaves after a DELETE and is neither.
    func revisionLinks(of repository: String) throws(StorageError) -> (valid: [Digest], broken: [String]) {
        var revisions: [Digest] = []
        var broken: [String] = []
        let revisionsPath = "\(repositoryPath(repository))/_manifests/revisions/sha256"
        for hex in try driver.list(revisionsPath) {
            let link = "\(revisionsPath)/\(hex)/link"
            let target = try readLink(path: link)
            // Read first: on an object store a second request only for links that are not there.
            if target == nil, try !driver.exists(link) { continue }
            if let digest = try? Digest(parsing: "sha256:\(hex)"), target == digest {
                revisions.append(digest)
            } else {
                broken.append(hex)
            }
        }
        return (revisions.sorted(), broken.sorted())
    }

    /// Every blob in `blobs/sha256` with its data size (nil when `data` is missing), read
    /// with the 256 prefix directories in parallel.
    public func blobs() throws(StorageError) -> [Digest: Int64?] {
        let base = "\(v2Path)/blobs/sha256"
        if driver.prefersWalks { return try walkBlobs(base) }
        let prefixes = try driver.list(base)
        let parts = Mutex<[[(Digest, Int64?)]]>([])
        try forEach(prefixes.count) { index throws(StorageError) in
            let prefix = "\(base)/\(prefixes[index])"
            var found: [(Digest, Int64?)] = []
            for hex in try driver.list(prefix) {
                guard let digest = try? Digest(parsing: "sha256:\(hex)") else { continue }
                found.append((digest, try driver.size("\(prefix)/\(hex)/data")))
            }
            parts.withLock { $0.append(found) }
        }
        var result: [Digest: Int64?] = [:]
        for part in parts.withLock({ $0 }) { for (digest, size) in part { result[digest] = size } }
        return result
    }

    /// `blobs()` on a driver that prefers walks: 16 walks, one per first hex digit, each a
    /// paged listing that gives every blob and its size.
    private func walkBlobs(_ base: String) throws(StorageError) -> [Digest: Int64?] {
        let digits = Array("0123456789abcdef").map(String.init)
        let result = Mutex<[Digest: Int64?]>([:])
        try forEach(digits.count) { index throws(StorageError) in
            var sizes: [String: Int64?] = [:]
            for file in try driver.walk(base, namePrefix: digits[index]) {
                let parts = file.path.split(separator: "/")
                guard parts.count >= 2 else { continue }
                let hex = String(parts[1])
                if parts.count == 3 && parts[2] == "data" { sizes[hex] = file.size } else if sizes[hex] == nil { sizes[hex] = .some(nil) }
            }
            var found: [Digest: Int64?] = [:]
            for (hex, size) in sizes {
                guard let digest = try? Digest(parsing: "sha256:\(hex)") else { continue }
                found[digest] = size
            }
            result.withLock { all in all.merge(found) { $1 } }
        }
        return result.withLock { $0 }
    }
}
