import EvictorCore
import Foundation
import RegistryAPI
import Synchronization

/// A tag to check, with whether the inventory says it is in use.
public struct CheckTarget: Sendable, Hashable {
    public var repository: String
    public var tag: String
    public var inUse: Bool
    public var usedBy: [String]

    public init(repository: String, tag: String, inUse: Bool = false, usedBy: [String] = []) {
        self.repository = repository
        self.tag = tag
        self.inUse = inUse
        self.usedBy = usedBy
    }
}

/// Checks tags end to end: the manifest (every media type, digest verified, parsed), each child
/// of an index, and a HEAD of every config and layer. Each (repository, blob) and each
/// (repository, child manifest) is checked once however many tags share it.
public struct HealthChecker: Sendable {
    /// Whether a tag runs, once its manifest's digest and children are known: (in use, where).
    public typealias UsageLookup = @Sendable (_ repository: String, _ tag: String, _ digest: Digest, _ children: [Digest]) -> (Bool, [String])

    public let client: RegistryClient
    public var parallelism: Int
    /// Marks each checked tag in use from its digest (a digest pin, or an index child's),
    /// replacing the target's own marks; nil keeps them.
    public var usage: UsageLookup?

    public init(client: RegistryClient, parallelism: Int, usage: UsageLookup? = nil) {
        self.client = client
        self.parallelism = max(1, parallelism)
        self.usage = usage
    }

    /// Counts of what was checked.
    public struct Counters: Sendable {
        public var tags = 0
        public var manifests = 0
        public var blobs = 0
        public var healthyTags = 0
        /// The bytes of every distinct blob the checked images refer to.
        public var bytes: Int64 = 0
    }

    /// Checks every target; `progress(done, total)` is called as tags finish.
    public func check(_ targets: [CheckTarget], progress: (@Sendable (Int, Int) -> Void)? = nil) async -> (
        findings: [HealthFinding], counters: Counters
    ) {
        let memo = CheckMemo()
        let done = ProgressCounter(total: targets.count, report: progress)
        let perTag = await BoundedConcurrency.map(targets, limit: parallelism) { target -> [HealthFinding] in
            let findings = await checkTag(target, memo: memo)
            done.advance()
            return findings
        }
        var counters = Counters()
        counters.tags = targets.count
        counters.healthyTags = perTag.filter(\.isEmpty).count
        counters.manifests = await memo.manifestCount + targets.count
        counters.blobs = await memo.blobCount
        counters.bytes = await memo.bytes
        return (perTag.flatMap { $0 }, counters)
    }

    private func checkTag(_ target: CheckTarget, memo: CheckMemo) async -> [HealthFinding] {
        func finding(_ problem: HealthProblem, _ detail: String, digest: String?) -> HealthFinding {
            HealthFinding(
                repository: target.repository, tag: target.tag, digest: digest, problem: problem, detail: detail, inUse: target.inUse,
                usedBy: target.usedBy)
        }
        let manifest: Manifest
        do {
            manifest = try await client.manifest(target.repository, reference: target.tag)
        } catch {
            let (problem, detail) = Self.classify(error)
            return [finding(problem, detail, digest: nil)]
        }
        if let usage {
            var marked = target
            (marked.inUse, marked.usedBy) = usage(target.repository, target.tag, manifest.digest, manifest.children.map(\.digest))
            return await checkManifest(manifest, of: marked, memo: memo)
        }
        return await checkManifest(manifest, of: target, memo: memo)
    }

    /// The blobs and children of a tag's manifest, read.
    private func checkManifest(_ manifest: Manifest, of target: CheckTarget, memo: CheckMemo) async -> [HealthFinding] {
        func finding(_ problem: HealthProblem, _ detail: String, digest: String?) -> HealthFinding {
            HealthFinding(
                repository: target.repository, tag: target.tag, digest: digest, problem: problem, detail: detail, inUse: target.inUse,
                usedBy: target.usedBy)
        }
        var findings: [HealthFinding] = []
        let digest = manifest.digest.description
        for problem in await blobProblems(manifest, repository: target.repository, memo: memo) {
            findings.append(finding(problem.0, problem.1, digest: digest))
        }
        for child in manifest.children {
            let outcome = await memo.child(target.repository, child.digest) {
                do {
                    let fetched = try await client.manifest(target.repository, reference: child.digest.description)
                    let problems = await blobProblems(fetched, repository: target.repository, memo: memo)
                    return problems.map { ($0.0, "child \(child.platform?.description ?? child.digest.description): \($0.1)") }
                } catch {
                    let (problem, detail) = Self.classify(error)
                    let kind: HealthProblem = problem == .manifestUnknown ? .blobMissing : problem
                    return [(kind, "child \(child.digest) (\(child.platform?.description ?? "no platform")): \(detail)")]
                }
            }
            for (problem, detail) in outcome { findings.append(finding(problem, detail, digest: digest)) }
        }
        return findings
    }

    private func blobProblems(_ manifest: Manifest, repository: String, memo: CheckMemo) async -> [(HealthProblem, String)] {
        var problems: [(HealthProblem, String)] = []
        let labelled = (manifest.config.map { [("config", $0)] } ?? []) + manifest.layers.map { ("layer", $0) }
        for (label, descriptor) in labelled {
            let outcome = await memo.blob(repository, descriptor.digest, size: descriptor.size) { () -> (HealthProblem, String)? in
                do {
                    return try await client.blobSize(repository, digest: descriptor.digest) == nil ? (.blobMissing, "") : nil
                } catch {
                    return Self.classify(error)
                }
            }
            if let (problem, detail) = outcome {
                problems.append((problem, detail.isEmpty ? "\(label) \(descriptor.digest) missing" : "\(label) \(descriptor.digest): \(detail)"))
            }
        }
        return problems
    }

    /// Maps a client error to a problem class and a short detail.
    public static func classify(_ error: Error) -> (HealthProblem, String) {
        guard let error = error as? RegistryAPIError else { return (.serverError, "\(error)") }
        switch error {
        case .notFound: return (.manifestUnknown, "manifest not found")
        case .digestMismatch(_, _, let expected, let actual): return (.digestMismatch, "expected \(expected), got \(actual)")
        case .corruptManifest(_, _, let detail, _): return (.corrupt, "corrupt manifest: \(detail)")
        case .invalidResponse(_, _, let detail): return (.serverError, detail)
        case .invalidDigestHeader: return (.serverError, "invalid Docker-Content-Digest header")
        case .bodyTooLarge(_, _, let limit): return (.corrupt, "manifest larger than \(limit) bytes")
        case .denied, .unauthorized: return (.denied, error.description)
        case .serverError(_, _, let status, let attempts): return (.serverError, "HTTP \(status) after \(attempts) attempt(s)")
        case .timeout(_, _, let attempts): return (.serverError, "timed out after \(attempts) attempt(s)")
        case .unreachable(_, let detail): return (.serverError, detail)
        case .invalidName(_, let reason): return (.corrupt, reason)
        case .deletesDisabled, .invalidEndpoint, .credentials, .registryDown: return (.serverError, error.description)
        }
    }
}

/// Results shared between tags: each (repository, digest) is checked once; concurrent askers
/// wait for the first check. Finished checks keep only their small result (not the Task, whose
/// memory would otherwise stay alive for every blob of a large registry).
actor CheckMemo {
    private enum BlobOutcome {
        case healthy
        case problem(HealthProblem, String)
    }

    /// A blob or child manifest of one repository.
    private struct Key: Hashable {
        var repository: String
        var digest: Digest
    }

    private var blobResults: [Key: BlobOutcome] = [:]
    private var blobsInFlight: [Key: Task<(HealthProblem, String)?, Never>] = [:]
    private var childResults: [Key: [(HealthProblem, String)]] = [:]
    private var childrenInFlight: [Key: Task<[(HealthProblem, String)], Never>] = [:]

    /// Declared size of each distinct blob (a blob shared by repositories is stored once).
    private var sizes: [Digest: Int64] = [:]

    var blobCount: Int { blobResults.count + blobsInFlight.count }
    /// The bytes of every distinct blob the checked images refer to: what the registry stores for them.
    var bytes: Int64 { sizes.values.reduce(0, +) }

    var manifestCount: Int { childResults.count + childrenInFlight.count }

    /// The outcome of `check` for the blob `digest` in `repository`, run once per pair (callers
    /// asking while it runs wait for it); `size` is the blob's declared size, noted for `bytes`.
    func blob(
        _ repository: String, _ digest: Digest, size: Int64, _ check: @escaping @Sendable () async -> (HealthProblem, String)?
    ) async -> (HealthProblem, String)? {
        if size > 0 { sizes[digest] = size }
        let key = Key(repository: repository, digest: digest)
        switch blobResults[key] {
        case .healthy: return nil
        case .problem(let problem, let detail): return (problem, detail)
        case nil: break
        }
        if let running = blobsInFlight[key] { return await running.value }
        let task = InheritedExecutor.task { await check() }
        blobsInFlight[key] = task
        let value = await task.value
        blobsInFlight[key] = nil
        blobResults[key] = value.map { .problem($0.0, $0.1) } ?? .healthy
        return value
    }

    func child(_ repository: String, _ digest: Digest, _ check: @escaping @Sendable () async -> [(HealthProblem, String)]) async -> [(
        HealthProblem, String
    )] {
        let key = Key(repository: repository, digest: digest)
        if let done = childResults[key] { return done }
        if let running = childrenInFlight[key] { return await running.value }
        let task = InheritedExecutor.task { await check() }
        childrenInFlight[key] = task
        let value = await task.value
        childrenInFlight[key] = nil
        childResults[key] = value
        return value
    }
}
