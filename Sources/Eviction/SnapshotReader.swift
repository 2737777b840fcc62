import EvictorCore
import RegistryAPI

/// Hands out repository snapshots one at a time, in name order. Tags are listed for every
/// repository first; manifests are then read a batch of repositories at a time (concurrently
/// within the batch), so only that batch's records are in memory: a plan decides each
/// repository and lets its snapshot go before the next batch is read, and a million tags never
/// sit in memory as image records at once.
public struct SnapshotReader {
    private let collector: SnapshotCollector
    private let requested: [String]
    private let progress: (@Sendable (Int, Int) -> Void)?
    /// Tags resolved together: enough to keep every request slot busy for most of a batch.
    private let batchTags: Int
    private let memo = ImageMemo()
    /// Repositories still to read, in name order, with their tag names.
    private var pending: [(name: String, tags: [String])] = []
    private var nextPending = 0
    private var counter: ProgressCounter?
    private var listed = false
    /// Snapshots read but not handed out yet (the last one first).
    private var ready: [RepositorySnapshot] = []
    /// Tags whose manifests could not be read so far (complete once `next()` returned nil).
    public private(set) var gaps = SnapshotCollector.Gaps()

    init(collector: SnapshotCollector, repositories: [String], progress: (@Sendable (Int, Int) -> Void)?, batchTags: Int? = nil) {
        self.collector = collector
        self.requested = repositories
        self.progress = progress
        self.batchTags = max(1, batchTags ?? max(1000, collector.parallelism * 64))
    }

    /// The next repository's snapshot, or nil after the last one.
    public mutating func next() async throws(EvictionError) -> RepositorySnapshot? {
        do throws(RegistryAPIError) {
            if !listed { try await list() }
            if ready.isEmpty { try await readBatch() }
        } catch {
            throw .registry(error)
        }
        return ready.popLast()
    }

    /// Lists every repository's tags (the progress total is the number of tags).
    private mutating func list() async throws(RegistryAPIError) {
        let walker = RegistryWalker(client: collector.client, parallelism: collector.parallelism)
        let names = try await walker.repositories(requested)
        let entries = try await walker.tags(in: names, resolveDigests: false)
        var tagsByRepository: [String: [String]] = [:]
        for entry in entries { tagsByRepository[entry.repository, default: []].append(entry.tag) }
        pending = names.map { ($0, tagsByRepository.removeValue(forKey: $0) ?? []) }
        counter = ProgressCounter(total: entries.count, report: progress)
        listed = true
    }

    /// Reads the next batch of repositories into `ready`.
    private mutating func readBatch() async throws(RegistryAPIError) {
        var batch: [(name: String, tags: [String])] = []
        var tagCount = 0
        while nextPending < pending.count, batch.isEmpty || tagCount + pending[nextPending].tags.count <= batchTags {
            batch.append(pending[nextPending])
            tagCount += pending[nextPending].tags.count
            pending[nextPending].tags = []  // read once: the names go with the batch
            nextPending += 1
        }
        guard !batch.isEmpty, let counter else { return }
        let snapshots = try await collector.snapshots(ofBatch: batch, memo: memo, counter: counter, gaps: &gaps)
        ready = snapshots.reversed()
    }
}
