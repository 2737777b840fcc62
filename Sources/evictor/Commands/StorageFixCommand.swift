import ArgumentParser
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
            QUARANTINE/<UTC time>/ with a record of every move; `evictor storage revert` puts them back.
            """
    )

    @Option(name: .long, help: "The registry's storage root (its rootdirectory).")
    var root: String

    @Option(name: .long, help: "Directory that receives what the fixes take out.")
    var quarantine: String

    @Option(name: .long, help: "Run only this fixer (by name); repeatable. Default: every fixer on the plugin path.")
    var fixer: [String] = []

    @Flag(name: .long, help: "Really move files (default: print what would move).")
    var apply = false

    @Option(name: .customLong("upload-age"), help: "Uploads older than this many hours count as stale (default 24).")
    var uploadAge: Double = 24

    @Flag(name: .customLong("verify-blobs"), help: "Also hash every blob, for the corrupt-blobs fixer.")
    var verifyBlobs = false

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        let layout = try StorageLayout(root: root)
        let path = plugins.pluginPath
        var scripts = path.scripts(in: "fixers")
        if !fixer.isEmpty {
            scripts = try fixer.map { name in
                guard let script = path.script(in: "fixers", named: name) else { throw ScriptingError.notFound(kind: "fixer", name: name, searched: path.searched) }
                return script
            }
        }
        var fixers: [FixerPlugin] = []
        for script in scripts {
            fixers.append(try await FixerPlugin.load(script: script, layout: layout, pluginPath: path, log: CommandLog.handler(prefix: script.displayName)))
        }
        var session = ""
        let stop = SignalTrap.install()
        var moved: [Quarantine.Move] = []
        // A fix can reveal the next damage (a quarantined blob leaves its image unpullable), so
        // --apply scans again until the fixers ask for nothing more (at most 5 passes).
        for pass in 1...5 {
            let result = try StorageScanner(layout: layout, uploadAgeHours: uploadAge, verifyBlobs: verifyBlobs).scan()
            var moves: [Quarantine.Move] = []
            for plugin in fixers {
                for action in try await plugin.actions(for: result.findings) {
                    moves.append(Quarantine.Move(path: try action.relativePath(), reason: action.reason, fixer: action.fixer))
                }
            }
            let unique = Dictionary(moves.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first }).values.sorted { $0.path < $1.path }
            if !apply {
                for move in unique { print("would quarantine\t\(move.path)\t\(move.fixer): \(move.reason)") }
                print("\(result.findings.count) problems found; \(unique.count) paths would move into \(quarantine) (add --apply; fixing can reveal more)")
                return
            }
            if unique.isEmpty { break }
            let store = try Quarantine(directory: quarantine, layout: layout)
            if pass == 1 {
                StorageCommand.warnWhileWriting()
                session = try store.newSession(UTCStamp.string(Date()))
            }
            let (_, done) = try store.move(unique, session: session, stop: stop)
            for move in done { print("quarantined\t\(move.path)\t\(move.fixer): \(move.reason)") }
            moved += done
            if done.isEmpty || stop.isRequested { break }
        }
        print("\(moved.count) paths moved into \(quarantine)/\(session); undo with: evictor storage revert --root \(root) --quarantine \(quarantine)")
        if let signal = stop.signal {
            SignalTrap.reportStopped(signal, what: "\(moved.count) paths moved and recorded, the rest not started")
            throw ExitCode(SignalTrap.exitCode(signal))
        }
        if !moved.isEmpty { print("restart the registry now, then run `evictor storage scan` again") }
    }
}

/// `evictor storage revert`: put everything a fix moved back where it was.
struct StorageRevertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revert", abstract: "Put back what `storage fix --apply` moved into the quarantine (writes at once: it is the undo).")

    @Option(name: .long, help: "The registry's storage root (its rootdirectory).")
    var root: String

    @Option(name: .long, help: "The quarantine directory given to `storage fix`.")
    var quarantine: String

    func run() async throws {
        StorageCommand.warnWhileWriting()
        let result = try Quarantine(directory: quarantine, layout: try StorageLayout(root: root)).revert()
        for path in result.conflicts { print("conflict\t\(path)\tsomething is there now; left in the quarantine") }
        print("restored \(result.restored.count) paths from \(result.sessions) session\(result.sessions == 1 ? "" : "s"); \(result.conflicts.count) conflicts")
        if !result.conflicts.isEmpty { throw ExitCode(1) }
    }
}
