import ArgumentParser
import RegistryStorage

/// `--quarantine DIR|PREFIX` or `--quarantine-dir DIR`: where `storage fix`, `rm` and `revert`
/// keep what they move out of a store. The same flag and value must be given to all three.
struct QuarantineOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Quarantine on the store's own storage: a directory for a store on disk (--root), a key prefix in the same bucket for a store on S3.")
    var quarantine: String?

    @Option(
        name: .customLong("quarantine-dir"),
        help: "Quarantine in a directory on this machine's disk, whatever the store (from S3: each object downloaded there, then deleted).")
    var quarantineDirectory: String?

    func validate() throws {
        if quarantine != nil && quarantineDirectory != nil { throw ValidationError("give at most one of --quarantine or --quarantine-dir") }
    }

    /// Where the quarantine is; nil when neither flag was given.
    var location: QuarantineLocation? {
        if let quarantineDirectory { return .localDirectory(quarantineDirectory) }
        return quarantine.map { .inStore($0) }
    }

    /// The flag and value as given, for printed hints (`--quarantine-dir DIR`).
    var flag: String {
        if let quarantineDirectory { return "--quarantine-dir \(quarantineDirectory)" }
        return "--quarantine \(quarantine ?? "")"
    }

    /// The location, for a command that cannot run without one.
    func required() throws -> QuarantineLocation {
        guard let location else { throw ValidationError("give the quarantine with --quarantine DIR|PREFIX or --quarantine-dir DIR") }
        return location
    }
}
