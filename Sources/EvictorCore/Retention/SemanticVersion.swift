/// A semantic version (semver 2.0) as tags use them: a leading `v` and a missing minor or
/// patch number are accepted (`v1.2` is 1.2.0). Ordering follows semver: a prerelease sorts
/// before its release, build metadata is ignored.
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    public var prerelease: String?
    public var build: String?

    public init?(_ text: String) {
        var rest = Substring(text)
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        if let plus = rest.firstIndex(of: "+") {
            build = String(rest[rest.index(after: plus)...])
            rest = rest[..<plus]
            guard Self.validIdentifiers(build ?? "", numericNoLeadingZero: false) else { return nil }
        }
        if let dash = rest.firstIndex(of: "-") {
            prerelease = String(rest[rest.index(after: dash)...])
            rest = rest[..<dash]
            guard Self.validIdentifiers(prerelease ?? "", numericNoLeadingZero: true) else { return nil }
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(numbers.count) else { return nil }
        var parsed: [Int] = []
        for number in numbers {
            guard !number.isEmpty, number.count <= 18, number.allSatisfy(\.isASCIIDigit), number == "0" || number.first != "0",
                let value = Int(number)
            else { return nil }
            parsed.append(value)
        }
        major = parsed[0]
        minor = parsed.count > 1 ? parsed[1] : 0
        patch = parsed.count > 2 ? parsed[2] : 0
    }

    public var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.map { "-\($0)" } ?? "") + (build.map { "+\($0)" } ?? "")
    }

    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if (lhs.major, lhs.minor, lhs.patch) != (rhs.major, rhs.minor, rhs.patch) {
            return (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
        }
        switch (lhs.prerelease, rhs.prerelease) {
        case (nil, nil), (nil, .some): return false
        case (.some, nil): return true
        case let (left?, right?): return comparePrerelease(left, right) < 0
        }
    }

    /// Semver equality ignores build metadata.
    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) == (rhs.major, rhs.minor, rhs.patch) && lhs.prerelease == rhs.prerelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }

    private static func comparePrerelease(_ left: String, _ right: String) -> Int {
        let a = left.split(separator: ".")
        let b = right.split(separator: ".")
        for (x, y) in zip(a, b) where x != y {
            switch (Int(x), Int(y)) {
            case let (l?, r?): return l < r ? -1 : 1
            case (.some, nil): return -1
            case (nil, .some): return 1
            default: return x < y ? -1 : 1
            }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    private static func validIdentifiers(_ text: String, numericNoLeadingZero: Bool) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return !parts.isEmpty
            && parts.allSatisfy { part in
                guard !part.isEmpty, part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return false }
                if numericNoLeadingZero, part.allSatisfy(\.isASCIIDigit), part.count > 1, part.first == "0" { return false }
                return true
            }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
