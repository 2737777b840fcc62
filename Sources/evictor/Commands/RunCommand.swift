import ArgumentParser
import EvictorCore
import EvictorEngine
import Foundation

/// `evictor run`: the whole unattended job from the config file.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "The whole job from the config file: inventory, check, plan with every policy, and with --delete the deletes.",
        discussion: """
            Reads the config file (--config, else $EVICTOR_CONFIG, else ./evictor.yaml). Collects the \
            inventory from inventory.sources into inventory.file (an existing one younger than \
            inventory.max_age is used as it is), then for each registry: checks every tag (report in \
            the state directory's reports/), plans with all of the registry's policies (keep wins), \
            and only with --delete applies the plan (journal in journals/; without --delete the plan \
            goes to plans/ and what would go is listed). A stale or failing inventory stops the whole \
            run, an unreachable registry, a policy error or a refused plan stops that registry's \
            part, always before anything is deleted. A run record (JSON) goes to runs/; files of runs \
            older than the newest state.keep are removed. Exit status: 0 clean, 1 some deletes \
            failed, 2 could not run (the record says why), 3 some deletes skipped because a tag \
            moved, 4 the check found problems (everything else ran; a repository without tags alone does not count), 130/143 stopped by \
            SIGINT/SIGTERM (run it again).
            """
    )

    @Option(name: .long, help: "The config file (default: $EVICTOR_CONFIG, else ./evictor.yaml).")
    var config: String?

    @Option(name: .long, help: "Run only this registry of the config file; repeatable (default: every one).")
    var registry: [String] = []

    @Flag(name: .long, help: "Really delete (default: a dry run that plans and lists what would go).")
    var delete = false

    @Option(name: .long, help: "text (a summary), or json (the run record on stdout).")
    var output: OutputFormat = .text

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        try plugins.refuseOptions("run")
        let environment = ProcessInfo.processInfo.environment
        let file = ConfigLoader.path(explicit: config, environment: environment)
        let loaded = try ConfigLoader.load(file: file, environment: environment)
        var settings = UnattendedRun.Settings(
            config: loaded, configPath: file, pluginPath: plugins.pluginPath(with: loaded), environment: environment)
        settings.registries = registry
        settings.delete = delete
        let stop = delete ? SignalTrap.install() : StopRequest()
        let text = output == .text
        let record = try await UnattendedRun.run(settings, stop: stop, events: CommandLog.events()) { milestone in
            if text { RunSummary.print(milestone, dryRun: !delete) }
        }
        switch output {
        case .json:
            try JSONOutput.print(record)
        case .text:
            RunSummary.printEnd(record)
        }
        if let signal = stop.signal, record.outcome == .stopped {
            SignalTrap.reportStopped(signal, what: "the journals are complete", resume: CommandLine.arguments)
        }
        if record.exitCode != 0 { throw ExitCode(record.exitCode) }
    }
}

/// The human lines of `evictor run`, as its steps finish.
enum RunSummary {
    static let listed = 20

    static func print(_ milestone: UnattendedRun.Milestone, dryRun: Bool) {
        switch milestone {
        case .inventory(let step):
            let origin =
                step.collected
                ? "collected (\(step.sources.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))"
                : "used as it is (collected \(step.generatedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "at an unknown time"))"
            Swift.print("inventory: \(step.images) images \(origin): \(step.file)")
        case .registryStarted(let name, let url):
            Swift.print("registry \(name) (\(url)):")
        case .checked(let check):
            let problems = check.problems.values.reduce(0, +)
            let classes = check.problems.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            Swift.print(
                "  check: \(check.tagsChecked) tags, \(check.healthyTags) healthy, \(problems) problem\(problems == 1 ? "" : "s")"
                    + "\(classes.isEmpty ? "" : " (\(classes))"); report: \(check.report)")
        case .planned(let plan, let planned):
            let actions = planned.actions
            let verb = plan.refused ? "refused plan would delete" : "plan: delete"
            Swift.print(
                "  \(verb) \(plan.tagsPlanned) of \(plan.tagsTotal) tags (\(plan.manifestsPlanned) manifests, about "
                    + "\(ByteCount.format(plan.reclaimableBytes)) reclaimable) with \(plan.policy); plan: \(plan.plan)")
            guard !plan.refused else { return }
            for action in actions.prefix(listed) {
                let names = action.tags.isEmpty ? "(untagged)" : action.tags.joined(separator: ",")
                Swift.print(
                    "    \(dryRun ? "would delete" : "delete")\t\(action.repository)@\(action.digest)\t\(names)\t\(action.reasons.first ?? "")")
            }
            if actions.count > listed { Swift.print("    ... and \(actions.count - listed) more in the plan") }
        case .applied(let apply):
            Swift.print(
                "  deleted \(apply.deleted) manifests (\(apply.tagsDeleted) tags), \(apply.alreadyGone) already gone, \(apply.skipped) skipped, "
                    + "\(apply.failed) failed\(apply.notStarted > 0 ? ", \(apply.notStarted) not started" : ""); journal: \(apply.journal)")
        case .checkReport, .decided, .deletions:
            break
        case .registryFailed(let name, let error):
            CommandLog.info("Error: registry \(name): \(error)")
        }
    }

    static func printEnd(_ record: RunRecord) {
        if let error = record.error { CommandLog.info("Error: \(error)") }
        let mode = record.delete ? "" : " (dry run: nothing deleted; add --delete)"
        Swift.print("run \(record.id): \(record.outcome.rawValue.replacingOccurrences(of: "_", with: " "))\(mode); record: \(record.record)")
        if record.registries.contains(where: { ($0.apply?.deleted ?? 0) > 0 }) {
            Swift.print("run the registry's garbage collection to reclaim the space (evictor storage gc)")
        }
    }
}
