import ArgumentParser
import EvictorEngine
import EvictorCore
import Eviction
import Foundation
import RegistryAPI

/// `evictor restore`: puts journaled manifests and tags back.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Put manifests and tags deleted by apply/evict back, from the journal.",
        discussion: """
            Writes to the registry at once (it is the undo of apply). Works while the blobs still \
            exist (before garbage collection); says which cannot be restored. Exit 1 when any \
            cannot; SIGINT/SIGTERM: the manifest in progress finishes, the rest wait for a rerun \
            (130/143).
            """
    )

    @Option(name: .long, help: "The journal apply or evict wrote.")
    var journal: String

    @Option(name: [.customShort("r"), .customLong("repository")], help: "Restore only this repository; repeatable.")
    var repositories: [String] = []

    @Option(name: .long, help: "The registry (default: the one named in the journal).")
    var registry: String?

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var configFile: RecordedRegistryConfigOption

    func run() async throws {
        let candidates = try Restoring.candidates(journalPath: journal, repositories: repositories)
        guard let target = registry ?? candidates.registry else {
            throw ValidationError("\(journal) names no registry; give --registry")
        }
        if candidates.records.isEmpty {
            print("nothing to restore in \(journal)")
            return
        }
        let stop = SignalTrap.install()
        let resolved = try configFile.resolve(url: target)
        let outcome = try await connection.withClient(for: resolved) { client in
            try await Restoring.restore(candidates, journalPath: journal, client: client, stop: stop)
        }
        var failed = 0
        for result in outcome.results {
            let name = "\(result.repository)@\(result.digest)"
            switch result.status {
            case .restored: print("restored\t\(name)\t\(result.tags.isEmpty ? "(untagged)" : result.tags.joined(separator: ","))")
            case .alreadyPresent: print("present\t\(name)\t\(result.tags.joined(separator: ","))")
            case .cannotRestore(let reason):
                failed += 1
                print("cannot restore\t\(name)\t\(reason)")
            }
            for note in result.notes { print("  note: \(note)") }
        }
        let restored = outcome.results.filter { $0.status == .restored }.count
        print("restored \(restored), already present \(outcome.results.filter { $0.status == .alreadyPresent }.count), cannot restore \(failed)")
        if let signal = outcome.stoppedBy {
            SignalTrap.reportStopped(signal, what: "\(outcome.notAttempted) manifests not restored yet")
            throw ExitCode(SignalTrap.exitCode(signal))
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
