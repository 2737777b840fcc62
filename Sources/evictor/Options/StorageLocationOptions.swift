import ArgumentParser
import EvictorEngine

/// `--root DIR` or `--config config.yml`: the store a `storage` command works on.
struct StorageLocationOptions: ParsableArguments {
    @Option(name: .long, help: "The registry's storage root (its rootdirectory).")
    var root: String?

    @Option(
        name: .long,
        help: "The registry's own configuration file: its storage section (filesystem, or s3 with bucket, region, regionendpoint, rootdirectory).")
    var config: String?

    func validate() throws {
        if (root == nil) == (config == nil) { throw ValidationError("give the store as exactly one of --root or --config") }
    }

    var source: StorageSource {
        if let config { return .registryConfig(config) }
        return .root(root ?? "")
    }
}
