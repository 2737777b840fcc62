import EvictorCore
import Foundation
import RegistryAPI

/// The `copy` use case: the selected images of one registry onto another through the registry
/// API, everything each needs included, digests kept, tags last; never deleting on either side.
/// A journal records what reached the destination, so a stopped or killed copy run again with
/// the same journal picks up where it was (finished blobs are found at the destination, not sent
/// again) and a second run over the same set copies nothing.
public enum Copying {
    /// What to copy and how.
    public struct Settings: Sendable {
        public var selection: CopySelection
        public var renames: [RepositoryRename] = []
        /// Also signatures, SBOMs and attestations referring to each copied manifest.
        public var referrers = false
        /// Move a destination tag that names another digest (else it is left alone and reported).
        public var overwriteTags = false
        /// Read both sides, write nothing; the figures say what a copy would do.
        public var dryRun = false
        /// The journal; nil: a new `evictor-copy-<UTC time>.jsonl` in the current directory,
        /// made once both registries answered (none in a dry run).
        public var journal: String?
        /// Images copied at once.
        public var imageConcurrency = 4
        /// Bytes per upload request.
        public var chunkSize = 8 << 20

        public init(selection: CopySelection) {
            self.selection = selection
        }
    }

    /// A new `evictor-copy-<UTC time>[-NNN].jsonl` in the current directory.
    static func newJournalPath(now: Date = Date()) throws -> String {
        try UniquePath.makeFile(stem: "evictor-copy-\(UTCStamp.string(now))", suffix: ".jsonl")
    }

    /// Copies what `settings` selects from `source` to `destination`. Errors about one image are
    /// in the report; what stops everything (the selection cannot be read, a journal of another
    /// copy) is thrown.
    public static func run(
        _ settings: Settings, source: RegistryClient, destination: RegistryClient, stop: StopRequest, events: @escaping EngineEvents
    ) async throws -> CopyReport {
        let started = ContinuousClock.now
        // Both sides answer (and take the credentials) before anything is read or written.
        try await source.ping()
        try await destination.ping()
        let (items, elsewhere) = try await settings.selection.resolve(on: source)
        // Only a copy that can start has a journal (a selection that cannot be read leaves none).
        let (earlier, journal) = try openJournal(settings, source: source, destination: destination)
        var report = CopyReport(source: source.registry, destination: destination.registry, dryRun: settings.dryRun, journal: journal?.path)
        report.images = items.count
        report.skippedReferences = elsewhere
        if items.isEmpty, case .inventory = settings.selection {
            events(.warning("no image of the inventory is on \(source.registry)"))
        }
        let ledger = CopyLedger(report: report, journal: journal, earlier: earlier)
        try await ledger.begin(source: source.registry, destination: destination.registry)
        let copier = ImageCopier(
            source: source, destination: destination, ledger: ledger, settings: settings, blobCopier: BlobCopier(chunkSize: settings.chunkSize))
        let progress = ProgressCounter(total: items.count, report: progressReporter(events, phase: settings.dryRun ? "copy (dry run)" : "copy"))
        _ = await BoundedConcurrency.map(items, limit: max(1, settings.imageConcurrency)) { item in
            defer { progress.advance() }
            guard !stop.isRequested else {
                await ledger.imageNotStarted()
                return
            }
            do {
                let changed = try await copier.copy(item)
                await ledger.image(item, changed: changed)
            } catch {
                await ledger.imageFailed(item, reason: "\(error)")
            }
        }
        let elapsed = (ContinuousClock.now - started).components
        return await ledger.finish(seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18, stoppedBy: stop.signal)
    }

    /// The journal's earlier records (refused when they are another copy's) and the file
    /// opened for appending; none in a dry run.
    private static func openJournal(
        _ settings: Settings, source: RegistryClient, destination: RegistryClient
    ) throws -> ([CopyRecord], JSONLinesFile?) {
        guard !settings.dryRun else { return ([], nil) }
        let path = try settings.journal ?? newJournalPath()
        var earlier: [CopyRecord] = []
        if FileManager.default.fileExists(atPath: path) {
            earlier = try JSONLinesFile.read(CopyRecord.self, from: path) { .invalidJournal(path, reason: $0) }
            if let begin = earlier.first(where: { $0.event == .begin }),
                begin.source != source.registry || begin.destination != destination.registry
            {
                throw EngineError.invalidSettings(
                    "\(path) is the journal of a copy from \(begin.source ?? "?") to \(begin.destination ?? "?"), "
                        + "not from \(source.registry) to \(destination.registry)")
            }
            if !earlier.isEmpty, !earlier.contains(where: { $0.event == .begin }) {
                throw EngineError.invalidSettings("\(path) is not a copy journal (no begin record)")
            }
        }
        return (earlier, try JSONLinesFile(path: path))
    }
}
