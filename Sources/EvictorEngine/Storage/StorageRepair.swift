import EvictorCore
import EvictorScripting
import Foundation
import LuaRuntime
import RegistryStorage

/// The `storage fix` and `storage revert` use cases: scan, let the Lua fixers decide, move
/// what they name into the quarantine (recorded, revertible), and put it back.
public enum StorageRepair {
    public struct Settings: Sendable {
        public var storage: StorageSource
        public var quarantine: QuarantineLocation
        /// Only these fixers, by name (empty: every fixer on the plugin path).
        public var fixers: [String] = []
        /// Options per fixer name (`--option NAME.KEY=VALUE`).
        public var options: [String: [(String, String)]] = [:]
        /// Really move (false: only say what would move).
        public var apply = false
        public var uploadAgeHours: Double = 24
        public var verifyBlobs = false
        public var pluginPath: PluginPath

        public init(root: String, quarantine: String, pluginPath: PluginPath) {
            self.init(storage: .root(root), quarantine: quarantine, pluginPath: pluginPath)
        }

        /// `quarantine`: a directory on disk, or for a store in a bucket a key prefix in that bucket.
        public init(storage: StorageSource, quarantine: String, pluginPath: PluginPath) {
            self.init(storage: storage, quarantine: .inStore(quarantine), pluginPath: pluginPath)
        }

        public init(storage: StorageSource, quarantine: QuarantineLocation, pluginPath: PluginPath) {
            self.storage = storage
            self.quarantine = quarantine
            self.pluginPath = pluginPath
        }
    }

    public struct Outcome: Sendable {
        /// Without `apply`: what the first pass would move, and the problems it saw.
        public var wouldMove: [Quarantine.Move] = []
        public var problemsFound = 0
        /// With `apply`: what moved, in order, and the quarantine session holding it.
        public var moved: [Quarantine.Move] = []
        public var session: String?
        /// The signal that stopped the moves part way, if one did.
        public var stoppedBy: Int32?
    }

    /// The most scan-and-fix passes: a fix can reveal the next damage (a quarantined blob
    /// leaves its image unpullable), so `apply` scans again until the fixers ask for nothing.
    public static let maximumPasses = 5

    /// Fixes (or, without `apply`, says what fixing would move). `willWrite` is called once,
    /// before the first move.
    public static func fix(
        _ settings: Settings, stop: StopRequest, events: @escaping EngineEvents, willWrite: () -> Void = {}
    ) async throws -> Outcome {
        let layout = try settings.storage.layout()
        let path = settings.pluginPath
        var scripts = path.scripts(in: "fixers")
        if !settings.fixers.isEmpty {
            scripts = try settings.fixers.map { name throws(ScriptingError) in
                try PolicyReference.resolve(name, kind: "fixer", folder: "fixers", pluginPath: path)
            }
        }
        var fixers: [(plugin: FixerPlugin, options: LuaValue)] = []
        for script in scripts {
            let plugin = try await FixerPlugin.load(
                script: script, layout: layout, pluginPath: path, log: pluginLogHandler(events, plugin: script.displayName))
            fixers.append((plugin, try plugin.resolveOptions(settings: settings.options[plugin.name] ?? settings.options[script.name] ?? [])))
        }
        let named = Set(fixers.flatMap { [$0.plugin.name] } + scripts.map(\.name))
        if let unknown = settings.options.keys.sorted().first(where: { !named.contains($0) }) {
            throw EngineError.invalidSettings(
                "--option \(unknown).KEY: no fixer named \(unknown) runs (fixers: \(fixers.map(\.plugin.name).joined(separator: ", ")))")
        }
        var outcome = Outcome()
        for pass in 1...maximumPasses {
            let result = try StorageScanner(layout: layout, uploadAgeHours: settings.uploadAgeHours, verifyBlobs: settings.verifyBlobs).scan()
            var moves: [Quarantine.Move] = []
            for (plugin, options) in fixers {
                for action in try await plugin.actions(for: result.findings, options: options) {
                    moves.append(Quarantine.Move(path: try action.relativePath(), reason: action.reason, fixer: action.fixer))
                }
            }
            let unique = Dictionary(moves.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first }).values.sorted { $0.path < $1.path }
            guard settings.apply else {
                outcome.wouldMove = unique
                outcome.problemsFound = result.findings.count
                return outcome
            }
            if unique.isEmpty { break }
            let store = try settings.quarantine.quarantine(layout: layout)
            if pass == 1 {
                willWrite()
                outcome.session = try store.newSession(UTCStamp.string(Date()))
            }
            let (_, done) = try store.move(unique, session: outcome.session ?? "", stop: stop)
            outcome.moved += done
            if done.isEmpty || stop.isRequested { break }
        }
        outcome.stoppedBy = stop.signal
        return outcome
    }

    /// Puts back every move of every session not yet reverted.
    public static func revert(root: String, quarantine: String) throws -> Quarantine.RevertResult {
        try revert(storage: .root(root), quarantine: quarantine)
    }

    /// Puts back every move of every session not yet reverted, on any store.
    public static func revert(storage: StorageSource, quarantine: String) throws -> Quarantine.RevertResult {
        try revert(storage: storage, quarantine: .inStore(quarantine))
    }

    /// Puts back every move of every session not yet reverted, from wherever the quarantine is.
    public static func revert(storage: StorageSource, quarantine: QuarantineLocation) throws -> Quarantine.RevertResult {
        try quarantine.quarantine(layout: try storage.layout()).revert()
    }
}
