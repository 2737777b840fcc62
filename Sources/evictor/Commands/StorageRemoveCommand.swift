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
        discussion: "Blobs are freed by `evictor storage gc` afterwards. With --quarantine the paths are moved there (revertible) instead of deleted."
    )

    @Option(name: .long, help: "The registry's storage root (its rootdirectory).")
    var root: String

    @Option(name: .long, help: "REPO or REPO:TAG.")
    var image: String

    @Option(name: .long, help: "Move into this quarantine instead of deleting.")
    var quarantine: String?

    @Flag(name: .long, help: "Really remove (default: print what would go).")
    var apply = false

    func run() async throws {
        let layout = try StorageLayout(root: root)
        let (repository, tag) = Planning.split(image)
        let paths = try ImageRemoval.paths(layout: layout, repository: repository, tag: tag)
        guard apply else {
            for entry in paths { print("would remove\t\(entry.path)\t\(entry.reason)") }
            print("dry run: nothing removed (add --apply); then run `evictor storage gc`")
            return
        }
        StorageCommand.warnWhileWriting()
        if let quarantine {
            let moves = paths.map { Quarantine.Move(path: $0.path, reason: $0.reason, fixer: "rm") }
            let store = Quarantine(directory: quarantine, layout: layout)
            let (session, done) = try store.move(moves, session: try store.newSession(UTCStamp.string(Date())))
            print("moved \(done.count) paths into \(session.path)")
        } else {
            for entry in paths {
                try FileManager.default.removeItem(at: layout.v2.appendingPathComponent(entry.path))
                print("removed\t\(entry.path)\t\(entry.reason)")
            }
        }
        print("now run `evictor storage gc --root \(root)` to free the blobs, then restart the registry")
    }
}
