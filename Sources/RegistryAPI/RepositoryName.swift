import EvictorCore

/// The distribution grammar for repository names and tags, checked before any name goes into
/// a URL (a hostile catalog cannot smuggle `?`, `#`, `..` or control characters into a request).
public enum RepositoryName {
    /// Longest repository name accepted (the distribution spec's limit).
    public static let maxLength = 255

    /// The distribution grammar's repository path (see `ReferenceGrammar.isValidPath`).
    public static func isValid(_ name: String) -> Bool {
        name.utf8.count <= maxLength && ReferenceGrammar.isValidPath(name)
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    public static func isValidTag(_ tag: String) -> Bool {
        ReferenceGrammar.isValidTag(tag)
    }

    /// Throws unless the name is valid.
    public static func validate(_ name: String) throws(RegistryAPIError) {
        guard isValid(name) else {
            throw .invalidName(String(name.unicodeScalars.map { $0.value < 0x20 ? "?" : Character($0) }), reason: "not a valid repository name")
        }
    }

    /// Throws unless the tag is valid.
    public static func validateTag(_ tag: String) throws(RegistryAPIError) {
        guard isValidTag(tag) else {
            throw .invalidName(String(tag.unicodeScalars.map { $0.value < 0x20 ? "?" : Character($0) }), reason: "not a valid tag")
        }
    }
}
