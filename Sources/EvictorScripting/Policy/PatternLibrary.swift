import EvictorCore
import Foundation
import LuaRuntime

/// `evictor.regex` and `evictor.semver` host functions. Regular expressions are ICU's (the
/// syntax of Python's `re` that the original tools took on the command line), compiled once
/// per VM and cached.
enum PatternLibrary {
    static func install(in vm: LuaVM) {
        let cache = RegexCache()
        // Unowned: the VM keeps these functions alive, not the other way round.
        let shouldStop = { [unowned vm] in vm.callShouldStop }
        // Validates; Lua/api.lua wraps it to return a compiled-pattern object.
        vm.register(function: "evictor.regex.compile") { arguments in
            _ = try cache.regex(try string(arguments, 0, "a pattern"))
            return []
        }
        vm.register(function: "evictor.regex.match") { arguments in
            let regex = try cache.regex(try string(arguments, 0, "a pattern"))
            let text = try string(arguments, 1, "the text to match")
            return [.boolean(try firstMatch(regex, in: text, shouldStop: shouldStop) != nil)]
        }
        vm.register(function: "evictor.regex.find") { arguments in
            let regex = try cache.regex(try string(arguments, 0, "a pattern"))
            let text = try string(arguments, 1, "the text to search")
            guard let match = try firstMatch(regex, in: text, shouldStop: shouldStop) else { return [.nil] }
            var groups: [LuaValue] = []
            for index in 0..<match.numberOfRanges {
                let range = match.range(at: index)
                if range.location == NSNotFound {
                    groups.append(.boolean(false))
                    continue
                }
                groups.append(Range(range, in: text).map { .string(LuaString(String(text[$0]))) } ?? .boolean(false))
            }
            return [.table(LuaTable(array: groups))]
        }
        vm.register(function: "evictor.semver.parse") { arguments in
            guard let version = SemanticVersion(try string(arguments, 0, "a version string")) else { return [.nil] }
            var table = LuaTable()
            table["major"] = .integer(Int64(version.major))
            table["minor"] = .integer(Int64(version.minor))
            table["patch"] = .integer(Int64(version.patch))
            if let prerelease = version.prerelease { table["prerelease"] = .string(LuaString(prerelease)) }
            if let build = version.build { table["build"] = .string(LuaString(build)) }
            return [.table(table)]
        }
        vm.register(function: "evictor.semver.compare") { arguments in
            let left = try string(arguments, 0, "two version strings")
            let right = try string(arguments, 1, "two version strings")
            guard let a = SemanticVersion(left) else { throw LuaHostError("evictor.semver.compare: '\(left.prefix(64))' is not a semantic version") }
            guard let b = SemanticVersion(right) else {
                throw LuaHostError("evictor.semver.compare: '\(right.prefix(64))' is not a semantic version")
            }
            return [.integer(a < b ? -1 : (a == b ? 0 : 1))]
        }
    }

    /// The first match of `regex` in `text`. ICU backtracks without any limit of its own
    /// (`(x+x+)+y` on forty x's takes seconds, `a.*b.*c.*d.*e` on a long text hours), so the
    /// match reports progress and gives up once the Lua call must stop (time limit or
    /// cancellation); the call then fails with that error at the script's line.
    static func firstMatch(_ regex: NSRegularExpression, in text: String, shouldStop: @escaping () -> Bool) throws -> NSTextCheckingResult? {
        var found: NSTextCheckingResult?
        var stopped = false
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(text.startIndex..., in: text)) { result, _, stop in
            if let result {
                found = result
                stop.pointee = true
            } else if shouldStop() {
                stopped = true
                stop.pointee = true
            }
        }
        if stopped { throw LuaHostError("stopped matching: the call was cancelled or is out of time") }
        return found
    }

    private static func string(_ arguments: [LuaValue], _ index: Int, _ what: String) throws -> String {
        guard index < arguments.count, let text = arguments[index].stringValue else {
            throw LuaHostError("expects \(what) (argument \(index + 1) is \(index < arguments.count ? arguments[index].typeName : "missing"))")
        }
        return text
    }
}

/// Compiled patterns of one VM (the VM is used from one thread at a time).
private final class RegexCache {
    private var compiled: [String: NSRegularExpression] = [:]

    func regex(_ pattern: String) throws -> NSRegularExpression {
        if let regex = compiled[pattern] { return regex }
        let regex: NSRegularExpression
        do { regex = try NSRegularExpression(pattern: pattern) } catch {
            throw LuaHostError("invalid regular expression '\(pattern.prefix(100))'")
        }
        if compiled.count > 1024 { compiled.removeAll() }
        compiled[pattern] = regex
        return regex
    }
}
