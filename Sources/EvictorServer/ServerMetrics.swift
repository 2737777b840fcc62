import CoreMetrics
import EvictorCore
import EvictorEngine
import Foundation
import Metrics
import Prometheus
import Synchronization

/// What `/metrics` exposes, through swift-metrics into a Prometheus registry of its own (no
/// global bootstrap, so tests can run several servers in one process).
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Jobs take seconds to hours, not the milliseconds of the default buckets.
        factory.defaultDurationHistogramBuckets = [1, 5, 15, 60, 300, 900, 3_600, 14_400].map { .seconds($0) }
        self.factory = factory
    }

    /// The Prometheus text exposition of every metric.
    public func exposition() -> String { registry.emitToString() }

    /// A job ended: its count by outcome, duration, last success, and the registries' figures.
    public func recordRun(_ record: RunRecord, job: String, details: RunDetails) {
        CoreMetrics.Counter(label: "evictor_runs_total", dimensions: [("task", job), ("outcome", record.outcome.rawValue)], factory: factory)
            .increment()
        if let ended = record.endedAt {
            CoreMetrics.Timer(label: "evictor_run_duration_seconds", dimensions: [("task", job)], preferredDisplayUnit: .seconds, factory: factory)
                .recordNanoseconds(Int64(max(0, ended.timeIntervalSince(record.startedAt)) * 1e9))
        }
        if record.outcome == .clean || record.outcome == .problemsFound {
            gauge("evictor_last_success_timestamp_seconds", [("task", job)]).record((record.endedAt ?? Date()).timeIntervalSince1970)
        }
        for part in record.registries {
            let registry = [("registry", part.name)]
            if let requests = part.requests { counter("evictor_registry_requests_total", registry).increment(by: requests) }
            if let retries = part.retries { counter("evictor_registry_retries_total", registry).increment(by: retries) }
            if let check = part.check {
                gauge("evictor_repositories", registry).record(check.repositories)
                gauge("evictor_tags", registry).record(check.tags)
                gauge("evictor_manifests", registry).record(check.manifests)
                if let bytes = check.bytes { gauge("evictor_bytes", registry).record(bytes) }
                gauge("evictor_tags_checked", registry).record(check.tagsChecked)
                gauge("evictor_tags_healthy", registry).record(check.healthyTags)
                for problem in Self.problemClasses {
                    gauge("evictor_problems", registry + [("class", problem)]).record(check.problems[problem] ?? 0)
                }
            }
            if let plan = part.plan, !plan.refused {
                gauge("evictor_actions_planned", registry).record(plan.manifestsPlanned)
                gauge("evictor_tags_planned", registry).record(plan.tagsPlanned)
                gauge("evictor_bytes_reclaimable", registry).record(plan.reclaimableBytes)
            }
            if let apply = part.apply {
                counter("evictor_actions_done_total", registry).increment(by: apply.deleted)
                let reclaimed = details.reclaimedBytes(registry: part.name)
                counter("evictor_bytes_reclaimed_total", registry).increment(by: Int(reclaimed))
            }
        }
    }

    /// A notification batch: its events received, recorded, counted before (replays), ignored
    /// (HEADs, blobs, Evictor's own requests); or refused whole (`refused`: why).
    public func recordEvents(registry: String, received: Int, recorded: Int, duplicates: Int, ignored: Int) {
        let labels = [("registry", registry)]
        counter("evictor_events_received_total", labels).increment(by: received)
        counter("evictor_events_recorded_total", labels).increment(by: recorded)
        counter("evictor_events_duplicate_total", labels).increment(by: duplicates)
        counter("evictor_events_ignored_total", labels).increment(by: ignored)
    }

    /// A notification batch refused whole (unauthorized, malformed, too large).
    public func recordRefusedBatch(registry: String, reason: String) {
        counter("evictor_event_batches_refused_total", [("registry", registry), ("reason", reason)]).increment()
    }

    /// A scheduled job was skipped because the registry was busy with another.
    public func recordSkip(job: String, registry: String) {
        counter("evictor_jobs_skipped_total", [("task", job), ("registry", registry)]).increment()
    }

    /// Every problem class a check knows, so each has a series (0 included).
    static let problemClasses = HealthProblem.allCases.map(\.rawValue)

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: dimensions, factory: factory)
    }

    /// Counters made once per label and dimensions (the receiver counts every batch).
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> CoreMetrics.Counter {
        let key = label + "|" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        return counters.withLock { cache in
            if let made = cache[key] { return made }
            let made = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            cache[key] = made
            return made
        }
    }
}

extension RunDetails {
    /// Bytes the deletes of `registry` made reclaimable (by garbage collection): the planned
    /// bytes of the repositories where something was deleted now.
    func reclaimedBytes(registry: String) -> Int64 {
        guard let deleted = deletions[registry]?.entries.filter({ $0.outcome == .deleted }), !deleted.isEmpty else { return 0 }
        let repositories = Set(deleted.map(\.repository))
        return (reclaimable[registry] ?? [:]).filter { repositories.contains($0.key) }.values.reduce(0, +)
    }
}
