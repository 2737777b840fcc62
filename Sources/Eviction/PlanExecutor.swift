import EvictorCore
import Foundation
import RegistryAPI

/// Runs a plan against the registry: per repository it re-reads every tag, then for each
/// action re-resolves the action's tags, journals the manifest (fsync) and deletes by digest.
/// A tag that moved, or a tag outside the plan that now points at the digest, skips the
/// action. Running it again with the same journal resumes: an action finished by an earlier
/// run is confirmed against the registry (a restore may have put it back), never taken on trust.
/// Once `stop` is requested no new action starts; those in flight finish and are journaled.
public struct PlanExecutor: Sendable {
    public let client: RegistryClient
    public let journal: Journal
    public var parallelism: Int
    public let stop: StopRequest?

    public init(client: RegistryClient, journal: Journal, parallelism: Int? = nil, stop: StopRequest? = nil) {
        self.client = client
        self.journal = journal
        self.parallelism = parallelism ?? client.configuration.concurrency
        self.stop = stop
    }

    public func apply(_ plan: Plan, planSHA256: String, previous: [JournalRecord], progress: (@Sendable (Int, Int) -> Void)? = nil)
        async throws(EvictionError) -> ApplyReport
    {
        if let begin = previous.first(where: { $0.event == .begin }), let other = begin.plan, other != planSHA256 {
            throw .mismatch("\(journal.path) belongs to another plan (sha256 \(other.prefix(12))); give a new --journal")
        }
        // Done by an earlier run (deleted, or found gone): confirmed again, not journaled again.
        let finished = Set(
            previous.filter { $0.event == .deleted || $0.event == .gone }.compactMap { record in
                record.repository.flatMap { repository in record.digest.map { "\(repository)@\($0)" } }
            })
        // An unreachable registry or a wrong password is one error before anything else, not a
        // failure per action.
        do { try await client.ping() } catch { throw .registry(error) }
        do {
            try await journal.append(JournalRecord(event: .begin, registry: client.configuration.endpoint.baseURL, plan: planSHA256))
        } catch {
            throw .core(error)
        }
        var byRepository: [String: [Plan.Action]] = [:]
        var order: [String] = []
        for action in plan.actions {
            if byRepository[action.repository] == nil { order.append(action.repository) }
            byRepository[action.repository, default: []].append(action)
        }
        let counter = ProgressCounter(total: plan.actions.count, report: progress)
        let walker = RegistryWalker(client: client, parallelism: max(1, parallelism / 2))
        let groups = order.map { ($0, byRepository[$0] ?? []) }
        let results: [[ApplyReport.Entry]]
        do {
            results = try await walker.map(groups) { group throws(RegistryAPIError) -> [ApplyReport.Entry] in
                await applyRepository(group.0, group.1, finished: finished, counter: counter)
            }
        } catch {
            throw .registry(error)
        }
        return ApplyReport(entries: results.flatMap { $0 })
    }

    /// One repository: current tags first, then the actions in plan order, phase by phase
    /// (referrers, indexes, manifests), each phase with bounded concurrency.
    private func applyRepository(_ repository: String, _ actions: [Plan.Action], finished: Set<String>, counter: ProgressCounter) async
        -> [ApplyReport.Entry]
    {
        if stop?.isRequested == true {
            return actions.map { ApplyReport.Entry(repository: repository, digest: $0.digest.description, tags: $0.tags, outcome: .notStarted) }
        }
        let current: [String: Digest]
        do {
            current = try await currentTags(repository)
        } catch {
            return actions.map { action in
                counter.advance()
                return ApplyReport.Entry(
                    repository: repository, digest: action.digest.description, tags: action.tags, outcome: .failed("cannot list tags: \(error)"))
            }
        }
        var entries: [ApplyReport.Entry] = []
        let walker = RegistryWalker(client: client, parallelism: max(2, parallelism))
        for batch in Self.phases(actions) {
            let done =
                (try? await walker.map(batch) { action throws(RegistryAPIError) -> ApplyReport.Entry in
                    let outcome = await run(action, current: current, finished: finished)
                    counter.advance()
                    return ApplyReport.Entry(repository: repository, digest: action.digest.description, tags: action.tags, outcome: outcome)
                }) ?? []
            entries += done
        }
        return entries
    }

    private func run(_ action: Plan.Action, current: [String: Digest], finished: Set<String>) async -> ApplyReport.Outcome {
        let repository = action.repository
        let digest = action.digest
        if stop?.isRequested == true { return .notStarted }
        do {
            // The bytes for the journal; a 404 means gone already (an earlier run deleted it,
            // perhaps dying before journaling that, or someone else did). One an earlier run
            // deleted that is back (restored, pushed again) is deleted again: the plan says so.
            let document: ManifestDocument
            do {
                document = try await client.manifestDocument(repository, reference: digest.description)
            } catch .notFound {
                if finished.contains("\(repository)@\(digest)") { return .deletedEarlier }
                try await journal.append(JournalRecord(event: .gone, repository: repository, digest: digest))
                return .alreadyGone
            }
            if let reason = try await moved(action, current: current) {
                try await journal.append(JournalRecord(event: .skipped, repository: repository, digest: digest, tags: action.tags, reason: reason))
                return .skipped(reason)
            }
            try await journal.append(
                JournalRecord(
                    event: .intent, registry: client.configuration.endpoint.baseURL, repository: repository, digest: digest,
                    mediaType: document.manifest.mediaType,
                    tags: action.tags, manifest: document.bytes
                ))
            let deleted = try await client.deleteManifest(repository, digest: digest)
            try await journal.append(JournalRecord(event: deleted ? .deleted : .gone, repository: repository, digest: digest, tags: action.tags))
            return deleted ? .deleted : .alreadyGone
        } catch {
            let reason = "\(error)"
            try? await journal.append(JournalRecord(event: .failed, repository: repository, digest: digest, tags: action.tags, reason: reason))
            return .failed(reason)
        }
    }

    /// Why the action must not run, or nil: one of its tags moved or vanished, or a tag the
    /// plan did not name now points at its digest (deleting would take that tag too).
    private func moved(_ action: Plan.Action, current: [String: Digest]) async throws(RegistryAPIError) -> String? {
        for tag in action.tags {
            let expected = action.expectedDigest(ofTag: tag)
            let now: Digest
            do throws(RegistryAPIError) {
                now = try await client.verifiedDigest(action.repository, reference: tag)
            } catch .notFound {
                return "tag \(tag) is gone since planning"
            }
            if now != expected { return "tag \(tag) moved from \(expected.short) to \(now.short) since planning" }
        }
        let planned = Set(action.tags)
        if let other = current.filter({ $0.value == action.digest && !planned.contains($0.key) }).keys.sorted().first {
            return "tag \(other), not in the plan, now points at \(action.digest.short)"
        }
        return nil
    }

    /// Every tag of the repository and its digest, read now with GETs whose bodies are hashed:
    /// a HEAD's digest header cannot be checked, and a wrong one here would hide a tag that
    /// now points at a digest the plan deletes. A tag gone meanwhile is left out, and so is one
    /// whose stored manifest the registry cannot parse (no manifest the plan deletes: those
    /// were read whole). Any other failure stops the repository.
    private func currentTags(_ repository: String) async throws(RegistryAPIError) -> [String: Digest] {
        let walker = RegistryWalker(client: client, parallelism: max(2, parallelism))
        let entries = try await walker.tags(in: [repository], resolveDigests: false)
        let resolved = try await walker.map(entries) { entry throws(RegistryAPIError) -> ResolvedTag in
            do throws(RegistryAPIError) {
                return ResolvedTag(tag: entry.tag, digest: try await client.verifiedDigest(repository, reference: entry.tag))
            } catch .notFound {
                return ResolvedTag(tag: entry.tag, digest: nil)
            } catch  where error.isUnparseableStoredManifest {
                return ResolvedTag(tag: entry.tag, digest: nil)
            }
        }
        var result: [String: Digest] = [:]
        for entry in resolved { if let digest = entry.digest { result[entry.tag] = digest } }
        return result
    }

    /// Consecutive actions of the same phase, in plan order.
    static func phases(_ actions: [Plan.Action]) -> [[Plan.Action]] {
        var batches: [[Plan.Action]] = []
        for action in actions {
            if let last = batches.last?.last, last.phase == action.phase {
                batches[batches.count - 1].append(action)
            } else {
                batches.append([action])
            }
        }
        return batches
    }
}

/// A tag and the digest it points to now (nil: gone, or its stored manifest unparseable).
/// A struct, not a `(String, Digest?)` tuple: release builds corrupted that tuple on its way
/// through `BoundedConcurrency.map`'s generic task group (a crash in `evictor apply` that
/// debug builds never showed; `scripts/release-smoke` runs apply on a release build).
struct ResolvedTag: Sendable {
    var tag: String
    var digest: Digest?
}
