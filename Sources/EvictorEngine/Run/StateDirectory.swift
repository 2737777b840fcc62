import EvictorCore
import Foundation

/// The state directory of unattended runs (`state.directory`): `runs/` (run records),
/// `plans/` (dry-run plans), `journals/` (journals and the plans kept beside them), `reports/`
/// (check reports) and `images.json` when the config names no inventory file. Every name
/// starts with its run's UTC stamp, so they sort by time and prune by run. Open, it holds a
/// lock: a second run on the same directory is refused rather than racing the first.
public final class StateDirectory: Sendable {
    public let path: String
    private let lock: Int32

    /// The kinds of files kept, one subdirectory each.
    public static let kinds = ["runs", "plans", "journals", "reports"]

    /// Creates the directory and its subdirectories (0700) as needed and takes its lock.
    public init(path: String) throws(EvictorCoreError) {
        for directory in [path] + Self.kinds.map({ "\(path)/\($0)" }) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .cannotWrite(directory, reason: "cannot create the state directory")
            }
        }
        let lockPath = "\(path)/.lock"
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotWrite(lockPath, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw .cannotWrite(path, reason: "the state directory is in use by another evictor run")
        }
        self.path = path
        self.lock = descriptor
    }

    deinit { close(lock) }

    /// `kind/stamp-name` (a name of letters, digits, `.`, `_` and `-` only).
    public func file(_ kind: String, stamp: String, name: String? = nil) -> String {
        let safe = name.map { "-" + String($0.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" }) } ?? ""
        return "\(path)/\(kind)/\(stamp)\(safe)"
    }

    /// Removes what belongs to runs older than the newest `keep` (by the stamp that starts each
    /// name); names without a stamp are left alone. Returns the paths removed.
    @discardableResult
    public func prune(keep: Int) -> [String] {
        var entries: [(stamp: String, path: String)] = []
        for kind in Self.kinds {
            let directory = "\(path)/\(kind)"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                guard let stamp = Self.stamp(of: name) else { continue }
                entries.append((stamp, "\(directory)/\(name)"))
            }
        }
        let kept = Set(Set(entries.map(\.stamp)).sorted().suffix(max(0, keep)))
        var removed: [String] = []
        for entry in entries.sorted(by: { $0.path < $1.path }) where !kept.contains(entry.stamp) {
            if (try? FileManager.default.removeItem(atPath: entry.path)) != nil { removed.append(entry.path) }
        }
        return removed
    }

    /// The `yyyyMMddTHHmmssZ` stamp a name starts with.
    static func stamp(of name: String) -> String? {
        let stamp = name.prefix(16)
        guard stamp.count == 16, stamp.last == "Z", stamp.dropFirst(8).first == "T",
            stamp.enumerated().allSatisfy({ $0.offset == 8 || $0.offset == 15 || $0.element.isASCII && $0.element.isNumber })
        else { return nil }
        return String(stamp)
    }
}
