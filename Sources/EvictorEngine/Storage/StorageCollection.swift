import EvictorCore
import RegistryStorage

/// The `storage gc` use case: mark and sweep, a dry run unless `apply`.
public enum StorageCollection {
    public struct Settings: Sendable {
        public var storage: StorageSource
        /// Also delete manifests no tag reaches (multi-arch and referrer safe).
        public var deleteUntagged = false
        /// Also sweep blobs only a damaged manifest may need.
        public var sweepDamaged = false
        /// Really delete (false: only say what would go).
        public var apply = false

        public init(root: String, deleteUntagged: Bool = false, sweepDamaged: Bool = false, apply: Bool = false) {
            self.init(storage: .root(root), deleteUntagged: deleteUntagged, sweepDamaged: sweepDamaged, apply: apply)
        }

        public init(storage: StorageSource, deleteUntagged: Bool = false, sweepDamaged: Bool = false, apply: Bool = false) {
            self.storage = storage
            self.deleteUntagged = deleteUntagged
            self.sweepDamaged = sweepDamaged
            self.apply = apply
        }
    }

    public struct Outcome: Sendable {
        public var plan: GarbageCollector.SweepPlan
        /// Bytes freed (0 in a dry run).
        public var freed: Int64
        /// The signal that stopped the sweep part way, if one did (a rerun sweeps the rest).
        public var stoppedBy: Int32?
    }

    /// Marks, then (with `apply`) sweeps; `willWrite` is called before the first removal.
    public static func run(_ settings: Settings, stop: StopRequest, willWrite: () -> Void = {}) throws -> Outcome {
        let collector = GarbageCollector(
            layout: try settings.storage.layout(),
            options: .init(deleteUntagged: settings.deleteUntagged, sweepDamaged: settings.sweepDamaged)
        )
        let plan = try collector.plan()
        guard settings.apply else { return Outcome(plan: plan, freed: 0) }
        willWrite()
        let swept = try collector.sweep(plan, stop: stop)
        return Outcome(plan: plan, freed: swept.freed, stoppedBy: swept.complete ? nil : stop.signal)
    }
}
