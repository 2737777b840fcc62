import ArgumentParser
import EvictorEngine
import EvictorCore
import Foundation
import RegistryStorage

/// `evictor storage ...`: work on a registry's storage root directly.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "Scan, repair and garbage-collect a registry's on-disk storage (stop the registry or make it read-only first).",
        subcommands: [StorageScanCommand.self, StorageFixCommand.self, StorageRevertCommand.self, StorageGCCommand.self, StorageRemoveCommand.self]
    )

    static func warnWhileWriting() {
        CommandLog.warn(
            "the registry must be stopped or in read-only mode while its storage is changed, and restarted afterwards (its blob cache goes stale)")
    }
}

/// `evictor storage gc`: mark and sweep, like `registry garbage-collect`, without its failure modes.
struct StorageGCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete blobs no manifest needs (and, with --delete-untagged, untagged manifests); a dry run unless --apply.",
        discussion: """
            Writes to the storage only with --apply (like every evictor command that deletes: \
            evict --delete, storage fix --apply, storage rm --apply). Marks every manifest revision \
            (or, with --delete-untagged, those a tag reaches, the \
            children of kept indexes and referrers of kept manifests) with its config, layers and \
            children, then sweeps the other blobs and the _layers links to them. Damaged entries \
            are reported and skipped; blobs a damaged manifest may still need are kept unless \
            --sweep-damaged.
            """
    )

    @OptionGroup var store: StorageLocationOptions

    @Flag(name: .customLong("delete-untagged"), help: "Also delete manifests no tag reaches (multi-arch safe).")
    var deleteUntagged = false

    @Flag(name: .long, help: "Really delete (default: only list what would be deleted).")
    var apply = false

    @Flag(name: .customLong("dry-run"), help: "Only list what would be deleted (the default; kept for scripts).")
    var explicitDryRun = false

    @Flag(name: .customLong("sweep-damaged"), help: "Also sweep blobs that only a damaged manifest may need.")
    var sweepDamaged = false

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    func validate() throws {
        if apply && explicitDryRun { throw ValidationError("--apply and --dry-run contradict each other") }
    }

    private var dryRun: Bool { !apply }

    func run() async throws {
        let stop = apply ? SignalTrap.install() : StopRequest()
        let settings = StorageCollection.Settings(storage: store.source, deleteUntagged: deleteUntagged, sweepDamaged: sweepDamaged, apply: apply)
        let outcome = try StorageCollection.run(settings, stop: stop, willWrite: StorageCommand.warnWhileWriting)
        let plan = outcome.plan
        for problem in plan.problems { CommandLog.warn(problem) }
        switch output {
        case .json:
            try JSONOutput.print(GCReport(dryRun: dryRun, plan: plan))
        case .text:
            let verb = dryRun ? "would delete" : "deleted"
            for digest in plan.blobs.keys.sorted().prefix(100) { print("\(verb) blob \(digest) (\(plan.blobs[digest] ?? 0) bytes)") }
            if plan.blobs.count > 100 { print("... and \(plan.blobs.count - 100) more blobs (--output json lists all)") }
            for manifest in plan.manifests.prefix(100) { print("\(verb) manifest \(manifest.repository)@\(manifest.digest)") }
            if !plan.keptForDamaged.isEmpty {
                print("kept \(plan.keptForDamaged.count) blob(s) a damaged manifest may still need (--sweep-damaged to delete them)")
            }
            print(
                "\(verb) \(plan.blobs.count) blobs (\(ByteCount.format(dryRun ? plan.bytes : outcome.freed))), "
                    + "\(plan.manifests.count) untagged manifests, \(plan.layerLinks.count) layer links; "
                    + "\(plan.problems.count) damaged entries skipped"
            )
            if dryRun { print("dry run: nothing deleted (add --apply)") }
            if !dryRun && !plan.blobs.isEmpty { print("restart the registry now: its blob-descriptor cache still answers for deleted blobs") }
        }
        if let stoppedBy = outcome.stoppedBy {
            SignalTrap.reportStopped(stoppedBy, what: "the sweep stopped part way (a rerun marks again and sweeps the rest)")
            throw ExitCode(SignalTrap.exitCode(stoppedBy))
        }
    }

    struct GCReport: Encodable {
        var dryRun: Bool
        var blobs: [String]
        var bytes: Int64
        var manifests: [String]
        var layerLinks: [String]
        var problems: [String]
        var keptForDamaged: [String]

        init(dryRun: Bool, plan: GarbageCollector.SweepPlan) {
            self.dryRun = dryRun
            blobs = plan.blobs.keys.sorted().map(\.description)
            bytes = plan.bytes
            manifests = plan.manifests.map { "\($0.repository)@\($0.digest)" }
            layerLinks = plan.layerLinks.map { "\($0.repository)@\($0.digest)" }
            problems = plan.problems
            keptForDamaged = plan.keptForDamaged.map(\.description)
        }
    }
}
