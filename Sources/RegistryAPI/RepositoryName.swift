/// The distribution grammar for repository names and tags, checked before any name goes into
/// a URL (a hostile catalog cannot smuggle `?`, `#`, `..` or control characters into a request).
public enum RepositoryName {
    /// Longest repository name accepted (the distribution spec's limit).
    public static let maxLength = 255

    /// `path-component ('/' path-component)*`, `[a-z0-9]+ (separator [a-z0-9]+)*`,
    /// separator `.`, `_`, `__` or `-+`.
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maxLength else { return false }
        for component in name.split(separator: "/", omittingEmptySubsequences: false) {
            guard isValidComponent(component.utf8) else { return false }
        }
        return true
    }

    private static func isValidComponent(_ bytes: Substring.UTF8View) -> Bool {
        let chars = Array(bytes)
        guard let first = chars.first, let last = chars.last, isAlnum(first), isAlnum(last) else { return false }
        var index = 0
        while index < chars.count {
            if isAlnum(chars[index]) {
                index += 1
                continue
            }
            // A separator run: ".", "_", "__", or one or more "-".
            var end = index
            while end < chars.count, !isAlnum(chars[end]) { end += 1 }
            let run = chars[index..<end]
            let ok = run.elementsEqual([UInt8(ascii: ".")]) || run.elementsEqual([UInt8(ascii: "_")])
                || run.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")]) || run.allSatisfy { $0 == UInt8(ascii: "-") }
            guard ok else { return false }
            index = end
        }
        return true
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    public static func isValidTag(_ tag: String) -> Bool {
        let chars = Array(tag.utf8)
        guard let first = chars.first, chars.count <= 128, isWord(first) else { return false }
        return chars.dropFirst().allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
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

    private static func isAlnum(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        isAlnum(byte) || (0x41...0x5A).contains(byte) || byte == UInt8(ascii: "_")
    }
}
