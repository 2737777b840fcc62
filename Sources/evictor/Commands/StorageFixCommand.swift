import ArgumentParser
import EvictorEngine
import EvictorCore
import EvictorScripting
import Foundation
import RegistryStorage

/// `evictor storage fix`: scan, let the Lua fixers decide, move what they name into the quarantine.
struct StorageFixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix",
        abstract: "Repair a store with the fixers on the plugin path (a dry run unless --apply).",
        discussion: """
            Each fixer picks scan findings and records actions (drop a tag, a revision, a layer \
            link, quarantine a blob or path). With --apply the engine moves those paths into \
            QUARANTINE/<UTC time>/ with a record of every move; `evictor storage revert` with the same \
            --quarantine or --quarantine-dir puts them back.
            """
    )

    @OptionGroup var store: StorageLocationOptions

    @OptionGroup var quarantine: QuarantineOptions

    @Option(name: .long, help: "Run only this fixer (a name on the plugin path, or a file); repeatable. Default: every fixer on the plugin path.")
    var fixer: [String] = []

    @Flag(name: .long, help: "Really move files (default: print what would move).")
    var apply = false

    @Option(name: .customLong("upload-age"), help: "Uploads older than this many hours count as stale (default 24).")
    var uploadAge: Double = 24

    @Flag(name: .customLong("verify-blobs"), help: "Also hash every blob, for the corrupt-blobs fixer.")
    var verifyBlobs = false

    @OptionGroup var plugins: PluginOptions

    func validate() throws {
        _ = try quarantine.required()
    }

    func run() async throws {
        var settings = StorageRepair.Settings(storage: store.source, quarantine: try quarantine.required(), pluginPath: plugins.pluginPath)
        settings.fixers = fixer
        settings.options = try plugins.optionSettings()
        settings.apply = apply
        settings.uploadAgeHours = uploadAge
        settings.verifyBlobs = verifyBlobs
        let stop = apply ? SignalTrap.install() : StopRequest()
        let outcome = try await StorageRepair.fix(settings, stop: stop, events: CommandLog.events(), willWrite: StorageCommand.warnWhileWriting)
        guard apply else {
            for move in outcome.wouldMove { print("would quarantine\t\(move.path)\t\(move.fixer): \(move.reason)") }
            print(
                "\(outcome.problemsFound) problems found; \(outcome.wouldMove.count) paths would move into \(quarantine.location?.description ?? "") "
                    + "(add --apply; fixing can reveal more)"
            )
            return
        }
        for move in outcome.moved { print("quarantined\t\(move.path)\t\(move.fixer): \(move.reason)") }
        print(
            "\(outcome.moved.count) paths moved into \(quarantine.location?.description ?? "")/\(outcome.session ?? ""); "
                + "undo with: evictor storage revert \(store.source.flag) \(quarantine.flag)"
        )
        if let signal = outcome.stoppedBy {
            SignalTrap.reportStopped(signal, what: "\(outcome.moved.count) paths moved and recorded, the rest not started")
            throw ExitCode(SignalTrap.exitCode(signal))
        }
        if !outcome.moved.isEmpty { print("restart the registry now, then run `evictor storage scan` again") }
    }
}

/// `evictor storage revert`: put everything a fix moved back where it was.
struct StorageRevertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revert", abstract: "Put back what `storage fix --apply` moved into the quarantine (writes at once: it is the undo).")

    @OptionGroup var store: StorageLocationOptions

    @OptionGroup var quarantine: QuarantineOptions

    func validate() throws {
        _ = try quarantine.required()
    }

    func run() async throws {
        StorageCommand.warnWhileWriting()
        let result = try StorageRepair.revert(storage: store.source, quarantine: try quarantine.required())
        for path in result.conflicts { print("conflict\t\(path)\tsomething is there now; left in the quarantine") }
        print(
            "restored \(result.restored.count) paths from \(result.sessions) session\(result.sessions == 1 ? "" : "s"); "
                + "\(result.conflicts.count) conflicts"
        )
        if !result.conflicts.isEmpty { throw ExitCode(1) }
    }
}
