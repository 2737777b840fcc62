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
            throw .invalidName(printable(name), reason: "not a valid repository name")
        }
    }

    /// Throws unless the tag is valid.
    public static func validateTag(_ tag: String) throws(RegistryAPIError) {
        guard isValidTag(tag) else {
            throw .invalidName(printable(tag), reason: "not a valid tag")
        }
    }

    /// A name from the registry made safe to print: control characters (C0, DEL, C1) and
    /// invisible format characters such as bidi overrides become `?`, so a hostile catalog
    /// cannot drive the operator's terminal or disguise a name.
    public static func printable(_ text: String) -> String {
        String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    switch scalar.properties.generalCategory {
                    case .control, .format, .lineSeparator, .paragraphSeparator: return "?"
                    default: return scalar
                    }
                }))
    }
}
