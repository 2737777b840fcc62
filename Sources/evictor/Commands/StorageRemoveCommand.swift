import ArgumentParser
import EvictorEngine
import EvictorCore
import Foundation
import RegistryStorage

/// `evictor storage rm`: the original delete-docker-registry-image, on disk.
struct StorageRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove a repository, or one tag and the manifests only it needed, on disk (a dry run unless --apply).",
        discussion: """
            Blobs are freed by `evictor storage gc` afterwards. With --quarantine or --quarantine-dir the paths are \
            moved there instead of deleted; `evictor storage revert` with the same flag puts them back.
            """
    )

    @OptionGroup var store: StorageLocationOptions

    @Option(name: .long, help: "REPO or REPO:TAG.")
    var image: String

    @OptionGroup var quarantine: QuarantineOptions

    @Flag(name: .long, help: "Really remove (default: print what would go).")
    var apply = false

    func run() async throws {
        let outcome = try StorageRemoval.run(
            StorageRemoval.Settings(storage: store.source, image: image, quarantine: quarantine.location, apply: apply),
            willWrite: StorageCommand.warnWhileWriting)
        guard apply else {
            for entry in outcome.paths { print("would remove\t\(entry.path)\t\(entry.reason)") }
            print("dry run: nothing removed (add --apply); then run `evictor storage gc`")
            return
        }
        if let session = outcome.session {
            print("moved \(outcome.removed.count) paths into \(session); undo with: evictor storage revert \(store.source.flag) \(quarantine.flag)")
        } else {
            for entry in outcome.paths { print("removed\t\(entry.path)\t\(entry.reason)") }
        }
        print("now run `evictor storage gc \(store.source.flag)` to free the blobs, then restart the registry")
    }
}
