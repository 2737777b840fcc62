import EvictorCore
import Foundation
import RegistryStorage

/// The `storage rm` use case (the original delete-docker-registry-image): a repository, or one
/// tag and the manifests only it needed, removed on disk (or moved into a quarantine).
public enum StorageRemoval {
    public struct Settings: Sendable {
        public var storage: StorageSource
        /// `REPO` or `REPO:TAG`.
        public var image: String
        /// Move into this quarantine (revertible) instead of deleting.
        public var quarantine: QuarantineLocation?
        /// Really remove (false: only say what would go).
        public var apply = false

        public init(root: String, image: String, quarantine: String? = nil, apply: Bool = false) {
            self.init(storage: .root(root), image: image, quarantine: quarantine.map { .inStore($0) }, apply: apply)
        }

        public init(storage: StorageSource, image: String, quarantine: QuarantineLocation? = nil, apply: Bool = false) {
            self.storage = storage
            self.image = image
            self.quarantine = quarantine
            self.apply = apply
        }
    }

    public struct Outcome: Sendable {
        /// Every path that goes (or would go), relative to the store's `v2` folder, and why.
        public var paths: [(path: String, reason: String)]
        /// With `apply`: what was removed or moved.
        public var removed: [String] = []
        /// With a quarantine: the session directory holding the moves.
        public var session: String?
    }

    /// Removes (or, without `apply`, lists) the paths; `willWrite` is called before the first.
    public static func run(_ settings: Settings, willWrite: () -> Void = {}) throws -> Outcome {
        let layout = try settings.storage.layout()
        let (repository, tag) = Planning.split(settings.image)
        let paths = try ImageRemoval.paths(layout: layout, repository: repository, tag: tag)
        var outcome = Outcome(paths: paths)
        guard settings.apply else { return outcome }
        willWrite()
        if let quarantine = settings.quarantine {
            let moves = paths.map { Quarantine.Move(path: $0.path, reason: $0.reason, fixer: "rm") }
            let store = try quarantine.quarantine(layout: layout)
            let (session, done) = try store.move(moves, session: try store.newSession(UTCStamp.string(Date())))
            outcome.session = session
            outcome.removed = done.map(\.path)
        } else {
            for entry in paths {
                try layout.driver.delete(layout.path(entry.path))
                outcome.removed.append(entry.path)
            }
        }
        return outcome
    }
}
