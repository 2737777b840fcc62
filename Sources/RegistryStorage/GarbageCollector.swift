import EvictorCore
import Foundation
import Synchronization

/// Offline mark-and-sweep over a Distribution store, like `registry garbage-collect`, but:
/// repositories are read in parallel and each manifest once; a damaged store does not abort
/// it (broken entries are reported and skipped, and blobs a damaged manifest may still need
/// are kept unless `sweepDamaged`); with `deleteUntagged`, the children of kept indexes, their
/// layers and referrers of kept manifests stay (the official 2.8 collector deletes them:
/// distribution #3178); and `_layers` links to swept blobs are removed too.
public struct GarbageCollector: Sendable {
    public struct Options: Sendable {
        public var deleteUntagged = false
        public var sweepDamaged = false
        public var parallelism = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        public init(deleteUntagged: Bool = false, sweepDamaged: Bool = false) {
            self.deleteUntagged = deleteUntagged
            self.sweepDamaged = sweepDamaged
        }
    }

    /// What a sweep removes, and what the mark phase could not read.
    public struct SweepPlan: Sendable, Codable {
        public struct ManifestRevision: Sendable, Codable, Hashable {
            public var repository: String
            public var digest: Digest
        }

        /// Blobs no kept manifest references, with their sizes.
        public var blobs: [Digest: Int64]
        /// Untagged manifest revisions removed (with `deleteUntagged`).
        public var manifests: [ManifestRevision]
        /// `_layers` links to swept blobs.
        public var layerLinks: [ManifestRevision]
        /// Damaged entries found while marking (reported, skipped).
        public var problems: [String]
        /// Blobs kept only because a damaged manifest may still need them.
        public var keptForDamaged: [Digest]
        public var bytes: Int64 { blobs.values.reduce(0, +) }
    }

    public let layout: StorageLayout
    public var options: Options

    public init(layout: StorageLayout, options: Options = Options()) {
        self.layout = layout
        self.options = options
    }

    /// Mark and plan the sweep; reads only. Marks are merged as each repository finishes and
    /// blob sizes are read only for sweep candidates, so memory stays near one set of digests.
    public func plan() throws(StorageError) -> SweepPlan {
        let repositories = try layout.repositoryIndex()
        let names = repositories.names
        struct Merged {
            var marked: Set<Digest> = [], protected: Set<Digest> = []
            var manifests: [SweepPlan.ManifestRevision] = [], problems: [String] = []
        }
        let merged = Mutex(Merged())
        // Any error reading links or manifests aborts the plan: a repository marked in part
        // would make the blobs it needs look unreferenced.
        try layout.forEach(names.count) { index throws(StorageError) in
            let marks = try mark(try layout.links(of: names[index], in: repositories), cache: ManifestCache(layout: layout))
            merged.withLock { all in
                all.marked.formUnion(marks.marked)
                all.protected.formUnion(marks.protected)
                all.manifests += marks.deleted.map { SweepPlan.ManifestRevision(repository: marks.repository, digest: $0) }
                all.problems += marks.problems
            }
        }
        let all = merged.withLock { $0 }
        merged.withLock { $0 = Merged() }

        // Sweep candidates: blobs nothing marked, read prefix by prefix in parallel.
        var sweep: [Digest: Int64] = [:]
        var keptForDamaged: [Digest] = []
        for (digest, size) in try layout.blobs() where !all.marked.contains(digest) {
            if all.protected.contains(digest) && !options.sweepDamaged {
                keptForDamaged.append(digest)
            } else {
                sweep[digest] = size ?? 0
            }
        }
        // `_layers` links to swept blobs.
        let sweptHex = Set(sweep.keys.map(\.hex))
        let links = Mutex<[SweepPlan.ManifestRevision]>([])
        try layout.forEach(names.count) { index throws(StorageError) in
            let found = try repositories.layerNames(of: names[index], in: layout).filter(sweptHex.contains).compactMap { hex in
                (try? Digest(parsing: "sha256:\(hex)")).map { SweepPlan.ManifestRevision(repository: names[index], digest: $0) }
            }
            links.withLock { $0 += found }
        }
        return SweepPlan(
            blobs: sweep, manifests: all.manifests.sorted { ($0.repository, $0.digest) < ($1.repository, $1.digest) },
            layerLinks: links.withLock { $0 }.sorted { ($0.repository, $0.digest) < ($1.repository, $1.digest) },
            problems: all.problems.sorted(), keptForDamaged: keptForDamaged.sorted()
        )
    }

    // MARK: - Mark

    private struct RepositoryMarks: Sendable {
        var repository: String
        var marked: Set<Digest> = []
        var protected: Set<Digest> = []
        var deleted: [Digest] = []
        var problems: [String] = []
    }

    private func mark(_ links: RepositoryLinks, cache: ManifestCache) throws(StorageError) -> RepositoryMarks {
        let repository = links.name
        var marks = RepositoryMarks(repository: repository)
        for hex in links.brokenRevisions { marks.problems.append("\(repository): revision link \(hex.prefix(16))... is missing or malformed") }
        let revisions = Set(links.revisions)
        var keep = revisions
        if options.deleteUntagged {
            keep = revisions.intersection(links.tags.values.compactMap { $0 })
            // Children of kept indexes and referrers of kept manifests stay, until nothing changes.
            var changed = true
            while changed {
                changed = false
                for digest in keep {
                    guard case .manifest(let manifest) = try cache.read(digest) else { continue }
                    for child in manifest.children where revisions.contains(child.digest) && !keep.contains(child.digest) {
                        keep.insert(child.digest)
                        changed = true
                    }
                }
                for digest in revisions.subtracting(keep) {
                    if case .manifest(let manifest) = try cache.read(digest), let subject = manifest.subject?.digest, keep.contains(subject) {
                        keep.insert(digest)
                        changed = true
                    }
                }
            }
            marks.deleted = revisions.subtracting(keep).sorted()
        }
        var damaged = false
        for digest in keep.sorted() {
            switch try cache.read(digest) {
            case .manifest(let manifest):
                marks.marked.insert(digest)
                for reference in manifest.blobs + manifest.children { marks.marked.insert(reference.digest) }
            case .missing:
                damaged = true
                marks.problems.append("\(repository)@\(digest): manifest blob is missing; skipped")
            case .empty:
                damaged = true
                marks.marked.insert(digest)
                marks.problems.append("\(repository)@\(digest): manifest blob is empty; skipped")
            case .digestMismatch(let actual, let references):
                damaged = true
                marks.marked.insert(digest)
                marks.protected.formUnion(references)
                marks.problems.append("\(repository)@\(digest): manifest blob hashes to \(actual.short); skipped")
            case .unparseable(let reason, let references):
                damaged = true
                marks.marked.insert(digest)
                marks.protected.formUnion(references)
                marks.problems.append("\(repository)@\(digest): manifest does not parse (\(reason)); skipped")
            }
        }
        // A damaged manifest may need any blob this repository links: keep them unless asked.
        if damaged { marks.protected.formUnion(links.layers) }
        return marks
    }

    // MARK: - Sweep

    /// Removes what `plan` lists: blob directories, untagged revisions (with their tag index
    /// entries) and `_layers` links. Returns the bytes freed, and whether everything was swept:
    /// once `stop` is requested nothing more is removed (a rerun marks again and sweeps the rest).
    public func sweep(_ plan: SweepPlan, stop: StopRequest? = nil) throws(StorageError) -> (freed: Int64, complete: Bool) {
        let driver = layout.driver
        for revision in plan.manifests {
            if stop?.isRequested == true { return (0, false) }
            let directory = layout.repositoryPath(revision.repository)
            try driver.delete("\(directory)/_manifests/revisions/sha256/\(revision.digest.hex)")
            for tag in try driver.list("\(directory)/_manifests/tags") {
                try driver.delete("\(directory)/_manifests/tags/\(tag)/index/sha256/\(revision.digest.hex)")
            }
        }
        for link in plan.layerLinks {
            if stop?.isRequested == true { return (0, false) }
            try driver.delete("\(layout.repositoryPath(link.repository))/_layers/sha256/\(link.digest.hex)")
        }
        // Blobs in parallel (on an object store each is a request or two); stopping lets the
        // ones under way finish.
        let blobs = Array(plan.blobs)
        let freed = Atomic<Int64>(0)
        let stopped = Atomic<Bool>(false)
        try layout.forEach(blobs.count) { index throws(StorageError) in
            if stop?.isRequested == true {
                stopped.store(true, ordering: .relaxed)
                return
            }
            let (digest, size) = blobs[index]
            try driver.delete((layout.blobDataPath(digest) as NSString).deletingLastPathComponent)
            freed.add(size, ordering: .relaxed)
        }
        return (freed.load(ordering: .relaxed), !stopped.load(ordering: .relaxed))
    }
}

/// Manifests of one repository, read from disk once while that repository is walked (a cache
/// per repository keeps memory flat however large the store).
final class ManifestCache: Sendable {
    private let layout: StorageLayout
    private let entries = Mutex<[Digest: StoredManifest]>([:])

    init(layout: StorageLayout) {
        self.layout = layout
    }

    func read(_ digest: Digest) throws(StorageError) -> StoredManifest {
        if let known = entries.withLock({ $0[digest] }) { return known }
        let stored = try StoredManifest.read(digest, in: layout)
        entries.withLock { $0[digest] = stored }
        return stored
    }
}
