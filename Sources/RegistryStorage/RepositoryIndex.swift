import EvictorCore
import Foundation
import ObjectStorage
import Synchronization

/// Every repository of a store and, on a driver that prefers walks (an object store), the link
/// files of each, found with a few paged listings instead of one listing per directory.
public struct RepositoryIndex: Sendable {
    /// Repository names, sorted.
    public let names: [String]
    let files: [String: RepositoryFiles]

    /// The hex names under `repository`'s `_layers/sha256`.
    func layerNames(of repository: String, in layout: StorageLayout) throws(StorageError) -> [String] {
        if let known = files[repository] { return known.layerNames.sorted() }
        return try layout.driver.list("\(layout.repositoryPath(repository))/_layers/sha256")
    }
}

extension StorageLayout {
    /// The store's repositories: listed directory by directory on disk; on a driver that
    /// prefers walks, a few levels are listed until there are enough prefixes to keep its
    /// requests in flight, then each prefix is walked whole (one request per 1,000 keys).
    public func repositoryIndex() throws(StorageError) -> RepositoryIndex {
        guard driver.prefersWalks else { return RepositoryIndex(names: try repositoryNames(), files: [:]) }
        let walked = try walkRepositories()
        return RepositoryIndex(names: walked.keys.sorted(), files: walked)
    }

    /// The links of `repository`, from what `index` already listed when it can.
    public func links(of repository: String, in index: RepositoryIndex) throws(StorageError) -> RepositoryLinks {
        guard let files = index.files[repository] else { return try links(of: repository) }
        return try links(of: repository, files: files)
    }

    /// Walks `repositories/`: every repository with its files.
    func walkRepositories() throws(StorageError) -> [String: RepositoryFiles] {
        let root = "\(v2Path)/repositories"
        guard try driver.isDirectory(root) else { return [:] }
        // Directories (relative to `root`) to walk whole: found by listing level by level
        // while there are too few of them to keep the driver's requests in flight.
        var walks: [String] = []
        var level = [""]
        let enough = max(8, driver.parallelism / 4)
        var depth = 0
        while !level.isEmpty {
            if level.count >= enough || depth >= 4 {
                walks += level
                break
            }
            depth += 1
            let current = level
            let found = Mutex<(walks: [String], next: [String])>(([], []))
            try forEach(current.count) { index throws(StorageError) in
                let relative = current[index]
                let directories = try driver.listDirectories(relative.isEmpty ? root : "\(root)/\(relative)")
                let joined = directories.map { relative.isEmpty ? $0 : "\(relative)/\($0)" }
                found.withLock {
                    $0.walks += zip(directories, joined).filter { $0.0.hasPrefix("_") }.map(\.1)
                    $0.next += zip(directories, joined).filter { !$0.0.hasPrefix("_") }.map(\.1)
                }
            }
            let (levelWalks, next) = found.withLock { $0 }
            walks += levelWalks
            level = next
        }
        let repositories = Mutex<[String: RepositoryFiles]>([:])
        let prefixes = walks
        try forEach(prefixes.count) { index throws(StorageError) in
            let prefix = prefixes[index]
            var part: [String: RepositoryFiles] = [:]
            for file in try driver.walk("\(root)/\(prefix)") {
                let components = (prefix.split(separator: "/") + file.path.split(separator: "/"))
                // The repository is what comes before the first `_` component.
                guard let first = components.firstIndex(where: { $0.hasPrefix("_") }) else { continue }
                let name = components[..<first].joined(separator: "/")
                part[name, default: RepositoryFiles()].add(components[first...], etag: file.etag)
            }
            repositories.withLock { all in
                for (name, files) in part { all[name, default: RepositoryFiles()].merge(files) }
            }
        }
        return repositories.withLock { $0 }.filter(\.value.isRepository)
    }

    /// Links from walked files: a link whose ETag is that of the content expected
    /// (`sha256:<hex>`) is not read; any other is read as on disk.
    func links(of repository: String, files: RepositoryFiles) throws(StorageError) -> RepositoryLinks {
        let directory = repositoryPath(repository)
        var revisions: [Digest] = []
        var broken: [String] = []
        for (hex, link) in files.revisions {
            let named = try? Digest(parsing: "sha256:\(hex)")
            if let named, ContentETag.matches(link.etag, Array(named.description.utf8)) {
                revisions.append(named)
                continue
            }
            let path = "\(directory)/_manifests/revisions/sha256/\(hex)/link"
            let target = try readLink(path: path)
            if target == nil, try !driver.exists(path) { continue }
            if let named, target == named { revisions.append(named) } else { broken.append(hex) }
        }
        // A tag names one of the repository's revisions or its own earlier targets, mostly.
        var known: [String: Digest] = [:]
        for digest in revisions { known[ContentETag.of(Array(digest.description.utf8))] = digest }
        var tags: [String: Digest?] = [:]
        for (tag, link) in files.tags {
            guard let link else {
                tags[tag] = .some(nil)
                continue
            }
            let earlier = { (etag: String) -> Digest? in
                (files.tagHistory[tag] ?? []).lazy.compactMap { try? Digest(parsing: "sha256:\($0)") }
                    .first { ContentETag.of(Array($0.description.utf8)) == etag }
            }
            if let etag = link.etag, let digest = known[etag] ?? earlier(etag) {
                tags[tag] = digest
            } else {
                tags[tag] = try readLink(path: "\(directory)/_manifests/tags/\(tag)/current/link")
            }
        }
        var layers: [Digest] = []
        for (hex, link) in files.layers {
            if let named = try? Digest(parsing: "sha256:\(hex)"), ContentETag.matches(link.etag, Array(named.description.utf8)) {
                layers.append(named)
            } else if let digest = try readLink(path: "\(directory)/_layers/sha256/\(hex)/link") {
                layers.append(digest)
            }
        }
        var uploads: [RepositoryLinks.Upload] = []
        for (id, hasStart) in files.uploads {
            let started =
                hasStart
                ? try driver.read("\(directory)/_uploads/\(id)/startedat", limit: 200)
                    .flatMap { Timestamp.parse(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) } : nil
            uploads.append(RepositoryLinks.Upload(id: id, startedAt: started))
        }
        return RepositoryLinks(
            name: repository, tags: tags, revisions: revisions.sorted(), brokenRevisions: broken.sorted(), layers: layers.sorted(),
            uploads: uploads.sorted { $0.id < $1.id })
    }
}
