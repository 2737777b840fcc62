/// What `apply` did with each action of a plan.
public struct ApplyReport: Sendable {
    public enum Outcome: Sendable, Equatable {
        case deleted
        /// Deleted (or found gone) by an earlier run with this journal, and still gone.
        case deletedEarlier
        /// Gone before this run could delete it (an earlier run died before journaling the
        /// delete, or someone else deleted it).
        case alreadyGone
        /// Not started: a stop (SIGINT, SIGTERM) was requested first. The next run does it.
        case notStarted
        /// Left alone on purpose: a tag moved, a new tag points at the digest.
        case skipped(String)
        case failed(String)
    }

    public struct Entry: Sendable {
        public var repository: String
        public var digest: String
        public var tags: [String]
        public var outcome: Outcome
    }

    public var entries: [Entry] = []

    public var deleted: Int { entries.filter { $0.outcome == .deleted }.count }
    public var alreadyGone: Int { entries.filter { $0.outcome == .alreadyGone || $0.outcome == .deletedEarlier }.count }
    public var deletedEarlier: Int { entries.filter { $0.outcome == .deletedEarlier }.count }
    public var notStarted: Int { entries.filter { $0.outcome == .notStarted }.count }
    public var skipped: [Entry] { entries.filter { if case .skipped = $0.outcome { return true } else { return false } } }
    public var failed: [Entry] { entries.filter { if case .failed = $0.outcome { return true } else { return false } } }
}
