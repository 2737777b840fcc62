import EvictorCore
import Foundation
import RegistryAPI

/// `evictor usage import`: back-fills the usage store from the registry's access log, for the
/// time before notifications were on. Pulls only (pushes and deletes come from notifications);
/// a pull by tag is resolved to the digest the tag has now (the log does not say which it had);
/// a line already counted (by notifications or an earlier import) counts once.
public enum UsageImport {
    public struct Outcome: Sendable, Equatable {
        public var lines = 0
        public var pulls = 0
        public var recorded = 0
        public var duplicates = 0
        /// Pulls of tags or repositories that no longer exist (nothing to attach them to).
        public var unresolved = 0
    }

    /// Imports `files` into `store` as registry `name`, resolving tags with `client`.
    public static func run(files: [String], store: UsageStore, registry name: String, client: RegistryClient, events: @escaping EngineEvents)
        async throws -> Outcome
    {
        var outcome = Outcome()
        var pulls: [AccessLogLine] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw EngineError.missingInput("cannot read the access log \(file)")
            }
            for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
                outcome.lines += 1
                if let pull = AccessLogLine.pull(in: line) { pulls.append(pull) }
            }
        }
        outcome.pulls = pulls.count
        var resolved: [String: Digest?] = [:]
        var usage: [UsageEvent] = []
        for pull in pulls {
            let digest: Digest?
            if let direct = try? Digest(parsing: pull.reference) {
                digest = direct
            } else if let known = resolved["\(pull.repository):\(pull.reference)"] {
                digest = known
            } else {
                digest = try await client.manifestHead(pull.repository, reference: pull.reference)?.digest
                resolved["\(pull.repository):\(pull.reference)"] = digest
            }
            guard let digest else {
                outcome.unresolved += 1
                continue
            }
            let tag = (try? Digest(parsing: pull.reference)) == nil ? pull.reference : nil
            usage.append(
                UsageEvent(key: "request:\(pull.requestID)", action: .pull, time: pull.time, repository: pull.repository, digest: digest, tag: tag))
        }
        if outcome.unresolved > 0 {
            events(.warning("\(outcome.unresolved) pull(s) of tags that no longer exist were left out"))
        }
        let recorded = try store.record(usage, registry: name)
        outcome.recorded = recorded.recorded
        outcome.duplicates = recorded.duplicates
        return outcome
    }
}
