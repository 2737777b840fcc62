import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which files a source's `host.read_file` and `host.exists` may touch: the paths matching the
/// globs it declared (`read = { "/etc/evictor/*.txt", "~/inventory/*" }`), or any path
/// (`read = true`); never Docker's `config.json`, where Evictor finds registry credentials.
struct SourceFileAccess: Sendable {
    /// Absolute globs (`~` and relative ones resolved); nil: any path.
    let globs: [String]?
    /// Files no source reads, as absolute paths with symbolic links resolved.
    let protectedFiles: Set<String>

    init(globs: [String]?, environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        self.globs = globs?.map { URL(fileURLWithPath: Self.absolute($0, home: home)).standardized.path }
        var dockerConfig = home + "/.docker/config.json"
        if let directory = environment["DOCKER_CONFIG"], !directory.isEmpty { dockerConfig = directory + "/config.json" }
        protectedFiles = [Self.resolved(Self.absolute(dockerConfig, home: home)), Self.resolved(home + "/.docker/config.json")]
    }

    /// Throws unless the source may read `path`.
    func check(_ path: String) throws {
        let lexical = URL(fileURLWithPath: path).standardized.path
        let real = Self.resolved(lexical)
        if protectedFiles.contains(real) {
            throw SourceFileRefusal("\(path): Docker's credentials file is not readable by sources")
        }
        guard let globs else { return }
        let matches = { (candidate: String) in globs.contains { fnmatch($0, candidate, 0) == 0 } }
        guard matches(lexical), matches(real) else {
            throw SourceFileRefusal("\(path) is outside the paths declared in capabilities.read (\(globs.joined(separator: ", ")))")
        }
    }

    private static func absolute(_ glob: String, home: String) -> String {
        if glob == "~" { return home }
        if glob.hasPrefix("~/") { return home + glob.dropFirst() }
        if glob.hasPrefix("/") { return glob }
        return FileManager.default.currentDirectoryPath + "/" + glob
    }

    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardized.resolvingSymlinksInPath().path
    }
}

/// Why `host.read_file` or `host.exists` refused a path.
struct SourceFileRefusal: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
