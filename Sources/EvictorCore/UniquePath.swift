import Foundation

/// Names for reports, quarantine sessions, plans and journals that never collide with an
/// earlier run's: the base name, or the base with `-002`, `-003`, ... appended (so they still
/// sort by time), created exclusively so two runs in the same second cannot both take one.
public enum UniquePath {
    /// Creates a new directory at `base` or the first free `base-NNN`, its parents as needed;
    /// returns its path.
    public static func makeDirectory(_ base: String, permissions: Int = 0o700) throws(EvictorCoreError) -> String {
        let parent = (base as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
                throw .cannotWrite(parent, reason: "cannot create the directory")
            }
        }
        for candidate in candidates(base, suffix: "") {
            if mkdir(candidate, mode_t(permissions)) == 0 { return candidate }
            guard errno == EEXIST else { throw .cannotWrite(candidate, reason: String(cString: strerror(errno))) }
        }
        throw .cannotWrite(base, reason: "no free name")
    }

    /// Creates a new empty file at `stem + suffix` or the first free `stem-NNN + suffix`;
    /// returns its path.
    public static func makeFile(stem: String, suffix: String, permissions: Int = 0o600) throws(EvictorCoreError) -> String {
        for candidate in candidates(stem, suffix: suffix) {
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
            if descriptor >= 0 {
                close(descriptor)
                return candidate
            }
            guard errno == EEXIST else { throw .cannotWrite(candidate, reason: String(cString: strerror(errno))) }
        }
        throw .cannotWrite(stem + suffix, reason: "no free name")
    }

    static func candidates(_ stem: String, suffix: String) -> [String] {
        [stem + suffix] + (2...999).map { stem + "-" + String(format: "%03d", $0) + suffix }
    }
}
