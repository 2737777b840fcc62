/// The distribution reference grammar's pieces: repository path components, tags, domains.
/// Checked before any name goes into a URL, a plan or an inventory.
public enum ReferenceGrammar {
    /// Longest full name (domain included) the grammar allows.
    public static let maxNameLength = 255

    /// `path-component ('/' path-component)*` with `[a-z0-9]+ (separator [a-z0-9]+)*` components
    /// and separators `.`, `_`, `__` or `-+`.
    public static func isValidPath(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= maxNameLength else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { isValidComponent(Array($0.utf8)) }
    }

    /// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    public static func isValidTag(_ tag: String) -> Bool {
        let chars = Array(tag.utf8)
        guard let first = chars.first, chars.count <= 128, isWord(first) else { return false }
        return chars.dropFirst().allSatisfy { isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `host[:port]`: dot-separated `[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?` labels or `[IPv6]`,
    /// with an optional numeric port.
    public static func isValidDomain(_ domain: String) -> Bool {
        var host = Substring(domain)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            let inner = host[host.index(after: host.startIndex)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            let rest = host[host.index(after: close)...]
            return rest.isEmpty || isValidPort(rest)
        }
        if let colon = host.lastIndex(of: ":") {
            guard isValidPort(host[colon...]) else { return false }
            host = host[..<colon]
        }
        guard !host.isEmpty else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last, isAlnumAnyCase(first), isAlnumAnyCase(last) else { return false }
            return bytes.allSatisfy { isAlnumAnyCase($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func isValidPort(_ text: Substring) -> Bool {
        let digits = text.dropFirst()
        guard text.first == ":", !digits.isEmpty, digits.count <= 5, let port = Int(digits) else { return false }
        return (1...65535).contains(port)
    }

    private static func isValidComponent(_ chars: [UInt8]) -> Bool {
        guard let first = chars.first, let last = chars.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        var index = 0
        while index < chars.count {
            if isLowerAlnum(chars[index]) {
                index += 1
                continue
            }
            var end = index
            while end < chars.count, !isLowerAlnum(chars[end]) { end += 1 }
            let run = chars[index..<end]
            let dot = UInt8(ascii: ".")
            let underscore = UInt8(ascii: "_")
            let dash = UInt8(ascii: "-")
            let ok =
                run.elementsEqual([dot]) || run.elementsEqual([underscore]) || run.elementsEqual([underscore, underscore])
                || run.allSatisfy { $0 == dash }
            guard ok else { return false }
            index = end
        }
        return true
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
    }

    private static func isAlnumAnyCase(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (0x41...0x5A).contains(byte)
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        isAlnumAnyCase(byte) || byte == UInt8(ascii: "_")
    }
}
