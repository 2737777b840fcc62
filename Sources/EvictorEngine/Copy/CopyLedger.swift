import EvictorCore
import RegistryAPI

/// The state one copy run shares between its images: where each blob already is on the
/// destination (to mount rather than send it again), blobs in flight (a layer two images share
/// is sent once), the manifests handled, the figures and the journal.
actor CopyLedger {
    private(set) var report: CopyReport
    private let journal: JSONLinesFile?
    /// A destination repository that has each blob.
    private var placed: [Digest: String] = [:]
    /// Transfers in flight, by destination repository and digest, and by digest alone.
    private var running: [String: Task<BlobCopier.Outcome, Error>] = [:]
    private var runningByDigest: [Digest: (task: Task<BlobCopier.Outcome, Error>, repository: String)] = [:]
    /// Manifests (destination repository @ digest) handled or being handled by this run.
    private var manifests: [String: Task<Bool, Error>] = [:]
    /// Blobs an earlier run with this journal recorded (destination repository @ digest).
    private let earlierBlobs: Set<String>
    /// Tag lists of source repositories, read once (referrer tags).
    private var sourceTags: [String: [String]] = [:]

    init(report: CopyReport, journal: JSONLinesFile?, earlier: [CopyRecord]) {
        self.report = report
        self.journal = journal
        var blobs: Set<String> = []
        for record in earlier where record.event == .blob {
            if let repository = record.repository, let digest = record.digest {
                blobs.insert("\(repository)@\(digest)")
                placed[digest] = placed[digest] ?? repository
            }
        }
        self.earlierBlobs = blobs
        self.report.blobsByEarlierRun = blobs.count
    }

    /// Copies a blob into `repository` once per run: a transfer of the same blob to the same
    /// repository in flight is waited for; one to another repository is waited for and then
    /// mounted from there. `run` gets the repository to mount from, if any.
    func blob(
        _ digest: Digest, into repository: String, _ run: @escaping @Sendable (String?) async throws -> BlobCopier.Outcome
    ) async throws {
        let key = "\(repository)@\(digest)"
        if let same = running[key] {
            _ = try await same.value
            return
        }
        if let other = runningByDigest[digest], (try? await other.task.value) != nil {
            // Known here, not only once the other caller resumes: mount from there.
            placed[digest] = placed[digest] ?? other.repository
        }
        if let same = running[key] {
            _ = try await same.value
            return
        }
        let mountFrom = placed[digest].flatMap { $0 == repository ? nil : $0 }
        let task = InheritedExecutor.throwingTask { try await run(mountFrom) }
        running[key] = task
        runningByDigest[digest] = (task, repository)
        defer {
            running[key] = nil
            if runningByDigest[digest]?.task == task { runningByDigest[digest] = nil }
        }
        let outcome = try await task.value
        placed[digest] = placed[digest] ?? repository
        switch outcome {
        case .present:
            report.blobsPresent += 1
        case .mounted: report.blobsMounted += 1
        case .sent(let bytes):
            report.blobsSent += 1
            report.bytesSent += bytes
        }
        if case .present = outcome, earlierBlobs.contains(key) { return }
        try write(CopyRecord(event: .blob, repository: repository, digest: digest, outcome: Self.name(outcome), bytes: Self.bytes(outcome)))
    }

    /// Runs `work` for a manifest once per run; a second caller waits for the first (an index
    /// must not be put before a child another image is still copying) and gets false.
    func manifestOnce(_ digest: Digest, in repository: String, _ work: @escaping @Sendable () async throws -> Bool) async throws -> Bool {
        let key = "\(repository)@\(digest)"
        if let earlier = manifests[key] {
            _ = try await earlier.value
            return false
        }
        let task = InheritedExecutor.throwingTask { try await work() }
        manifests[key] = task
        return try await task.value
    }

    /// A manifest put, or found present.
    func manifest(_ digest: Digest, in repository: String, put: Bool) throws {
        if put { report.manifestsPut += 1 } else { report.manifestsPresent += 1 }
        if put { try write(CopyRecord(event: .manifest, repository: repository, digest: digest, outcome: "put")) }
    }

    /// A tag set, found present, or left alone.
    func tag(_ tag: String, of digest: Digest, in repository: String, outcome: TagOutcome) throws {
        switch outcome {
        case .set:
            report.tagsSet += 1
            try write(CopyRecord(event: .tag, repository: repository, digest: digest, tag: tag, outcome: "set"))
        case .present:
            report.tagsPresent += 1
        case .skipped(let reason):
            report.tagsSkipped.append(CopyReport.Note(image: "\(repository):\(tag)", reason: reason))
            try write(CopyRecord(event: .tag, repository: repository, digest: digest, tag: tag, outcome: "skipped", reason: reason))
        }
    }

    /// What setting a tag came to.
    enum TagOutcome {
        case set, present
        case skipped(String)
    }

    /// An image done: copied (something changed), present, or failed.
    func image(_ item: CopyItem, changed: Bool) {
        if changed { report.imagesCopied += 1 } else { report.imagesPresent += 1 }
    }

    func imageFailed(_ item: CopyItem, reason: String) {
        report.imagesFailed += 1
        report.failures.append(CopyReport.Note(image: item.description, reason: reason))
        try? write(CopyRecord(event: .failed, repository: item.repository, digest: item.digest, tag: item.tag, reason: reason))
    }

    func imageNotStarted() { report.imagesNotStarted += 1 }

    /// The source repository's tags, listed once per run.
    func sourceTags(of repository: String, list: @Sendable () async throws -> [String]) async throws -> [String] {
        if let known = sourceTags[repository] { return known }
        let tags = try await list()
        sourceTags[repository] = tags
        return tags
    }

    func finish(seconds: Double, stoppedBy: Int32?) -> CopyReport {
        report.seconds = seconds
        report.stoppedBy = stoppedBy
        report.failures.sort { $0.image < $1.image }
        report.tagsSkipped.sort { $0.image < $1.image }
        return report
    }

    func begin(source: String, destination: String) throws {
        try write(CopyRecord(event: .begin, source: source, destination: destination))
    }

    private func write(_ record: CopyRecord) throws {
        guard let journal, !report.dryRun else { return }
        try journal.append(record)
    }

    private static func name(_ outcome: BlobCopier.Outcome) -> String {
        switch outcome {
        case .present: return "present"
        case .mounted: return "mounted"
        case .sent: return "sent"
        }
    }

    private static func bytes(_ outcome: BlobCopier.Outcome) -> Int64? {
        if case .sent(let bytes) = outcome { return bytes }
        return nil
    }
}
