import RegistryAPI

/// `--rename FROM=TO`: repositories whose name starts with the prefix FROM (whole path
/// components: `team/` or `team` matches `team/app`, not `teams/app`) land under TO.
public struct RepositoryRename: Sendable, Equatable, CustomStringConvertible {
    public var from: String
    public var to: String

    /// Parses `FROM=TO`; both sides are repository prefixes (a trailing `/` is optional).
    public init(parsing text: String) throws(EngineError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw .invalidSettings("--rename \(text): expected FROM=TO, such as team/=archive/team/")
        }
        let from = Self.trimmed(String(text[..<equals]))
        let to = Self.trimmed(String(text[text.index(after: equals)...]))
        guard !from.isEmpty, !to.isEmpty else { throw .invalidSettings("--rename \(text): FROM and TO must not be empty") }
        for side in [from, to] {
            do { try RepositoryName.validate(side) } catch {
                throw .invalidSettings("--rename \(text): '\(side)' is not a repository name or prefix")
            }
        }
        self.from = from
        self.to = to
    }

    public var description: String { "\(from)/=\(to)/" }

    /// `repository` renamed, or nil when the prefix does not match it.
    func apply(_ repository: String) -> String? {
        if repository == from { return to }
        guard repository.hasPrefix(from + "/") else { return nil }
        return to + repository.dropFirst(from.count)
    }

    private static func trimmed(_ side: String) -> String {
        var value = side
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// `repository` under the longest matching prefix of `renames`, or unchanged.
    static func destination(of repository: String, _ renames: [RepositoryRename]) -> String {
        let matching = renames.filter { $0.apply(repository) != nil }.max { $0.from.count < $1.from.count }
        return matching?.apply(repository) ?? repository
    }
}
