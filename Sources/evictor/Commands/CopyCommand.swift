import ArgumentParser
import EvictorCore
import EvictorEngine
import Foundation
import RegistryAPI

/// `evictor copy`: the images in use (or named ones, or all) from one registry to another.
struct CopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy images (in use, named, or all) to another registry, digests kept; never deletes.",
        discussion: """
            Copies through the registry API: indexes with every platform, blobs streamed in chunks \
            (skipped when the destination has them, mounted across its repositories), manifests \
            byte for byte, tags last. A destination tag that names another digest is left alone \
            and reported unless --overwrite-tags. Writes to DESTINATION unless --dry-run; \
            a journal (default: a new evictor-copy-<UTC time>.jsonl) records what arrived, and \
            running again with --journal resumes. Destination credentials: --dest-username with \
            --dest-password-stdin, EVICTOR_DEST_USERNAME / EVICTOR_DEST_PASSWORD, DESTINATION's \
            entry in --config, or Docker's config.json (EVICTOR_USERNAME is never sent to it). \
            Exit status: 0 done, 1 some images failed, 2 could not run, 3 some tags left alone, \
            130/143 stopped by SIGINT/SIGTERM (run again to resume).
            """
    )

    @Argument(help: "The registry to copy from: host[:port], a URL, or a registry's name in --config.")
    var source: String

    @Argument(help: "The registry to copy to: host[:port], a URL, or a registry's name in --config.")
    var destination: String

    @Option(name: .long, help: "Copy every image of this inventory (images.json) that lives on SOURCE.")
    var inventory: String?

    @Option(name: [.customShort("r"), .customLong("repository")], help: "REPO (every tag), REPO:TAG or REPO@DIGEST; repeatable.")
    var references: [String] = []

    @Flag(name: .long, help: "Copy every tag of every repository.")
    var all = false

    @Option(name: .customLong("registry-alias"), help: "Another name inventory entries use for SOURCE; repeatable.")
    var aliases: [String] = []

    @Option(name: .customLong("rename"), help: "Repository prefix FROM=TO, such as team/=archive/team/; repeatable (longest FROM wins).")
    var renames: [String] = []

    @Flag(name: .long, help: "Also copy the signatures, SBOMs and attestations that refer to each copied manifest.")
    var referrers = false

    @Flag(name: .customLong("overwrite-tags"), help: "Move destination tags that name another digest.")
    var overwriteTags = false

    @Option(name: .long, help: "The journal; an existing one of the same copy resumes it (default: a new evictor-copy-<UTC time>.jsonl).")
    var journal: String?

    @Flag(name: .customLong("dry-run"), help: "Read both registries and say what would be copied; write nothing.")
    var dryRun = false

    @Option(name: .long, help: "text or json.")
    var output: OutputFormat = .text

    @Option(name: .customLong("dest-username"), help: "User name for DESTINATION (the password from --dest-password-stdin).")
    var destUsername: String?

    @Flag(name: .customLong("dest-password-stdin"), help: "Read DESTINATION's password from standard input.")
    var destPasswordStdin = false

    @OptionGroup var connection: ConnectionOptions

    @OptionGroup var configFile: ConfigOption

    func validate() throws {
        let chosen = [inventory != nil, !references.isEmpty, all].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("say what to copy: one of --inventory FILE, -r REPO[:TAG] or --all") }
        if destPasswordStdin {
            guard destUsername != nil else { throw ValidationError("--dest-password-stdin needs --dest-username") }
            guard !connection.passwordStdin else {
                throw ValidationError("--password-stdin and --dest-password-stdin cannot both read standard input")
            }
        }
    }

    func run() async throws {
        var settings = Copying.Settings(selection: .all)
        settings.renames = try renames.map { try RepositoryRename(parsing: $0) }
        settings.referrers = referrers
        settings.overwriteTags = overwriteTags
        settings.dryRun = dryRun
        let sourceRegistry = try configFile.resolve(source)
        let destinationRegistry = try configFile.resolve(destination)
        if let inventory {
            settings.selection = .inventory(try InventoryFile.read(inventory), aliases: aliases + (sourceRegistry.registry?.aliases ?? []))
        } else if !references.isEmpty {
            settings.selection = .references(references)
        }
        settings.journal = journal
        let stop = SignalTrap.install()
        let report = try await destinationConnection().withClient(for: destinationRegistry, environment: Self.destinationEnvironment()) {
            destinationClient in
            try await connection.withClient(for: sourceRegistry) { sourceClient in
                try await Copying.run(settings, source: sourceClient, destination: destinationClient, stop: stop, events: CommandLog.events())
            }
        }
        switch output {
        case .json: try JSONOutput.print(report)
        case .text: Self.print(report)
        }
        if let signal = report.stoppedBy {
            var resume = CommandLine.arguments
            if journal == nil, let path = report.journal { resume += ["--journal", path] }
            SignalTrap.reportStopped(signal, what: "\(report.imagesNotStarted) images not started", resume: resume)
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }

    /// The connection flags for DESTINATION: the shared ones, its own user.
    private func destinationConnection() -> ConnectionOptions {
        var options = connection
        options.username = destUsername
        options.passwordStdin = destPasswordStdin
        return options
    }

    /// The environment DESTINATION's credentials are resolved in: `EVICTOR_DEST_USERNAME` and
    /// `EVICTOR_DEST_PASSWORD` in the place of the source's variables, which never reach it.
    static func destinationEnvironment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in ["EVICTOR_USERNAME", "EVICTOR_PASSWORD", "registry_username", "registry_password"] { environment[name] = nil }
        environment["EVICTOR_USERNAME"] = environment["EVICTOR_DEST_USERNAME"]
        environment["EVICTOR_PASSWORD"] = environment["EVICTOR_DEST_PASSWORD"]
        return environment
    }

    static func print(_ report: CopyReport) {
        let verb = report.dryRun ? "would copy" : "copied"
        for note in report.failures { Swift.print("failed\t\(note.image)\t\(note.reason)") }
        for note in report.tagsSkipped { Swift.print("tag left alone\t\(note.image)\t\(note.reason)") }
        for reference in report.skippedReferences { Swift.print("skipped\t\(reference)\t(on another registry)") }
        Swift.print(
            "\(verb) \(report.imagesCopied) of \(report.images) images from \(report.source) to \(report.destination) "
                + "in \(String(format: "%.1f", report.seconds)) s (\(report.imagesPresent) already there, \(report.imagesFailed) failed"
                + (report.imagesNotStarted > 0 ? ", \(report.imagesNotStarted) not started)" : ")"))
        Swift.print(
            "  manifests: \(report.manifestsPut) \(report.dryRun ? "to put" : "put"), \(report.manifestsPresent) already there; "
                + "tags: \(report.tagsSet) \(report.dryRun ? "to set" : "set"), \(report.tagsPresent) already set, "
                + "\(report.tagsSkipped.count) left alone")
        Swift.print(
            "  blobs: \(report.blobsSent) \(report.dryRun ? "to send" : "sent") (\(ByteCount.format(report.bytesSent))), "
                + "\(report.blobsMounted) \(report.dryRun ? "to mount" : "mounted"), \(report.blobsPresent) already there"
                + (report.blobsByEarlierRun > 0 ? " (\(report.blobsByEarlierRun) recorded by an earlier run)" : ""))
        if let journal = report.journal { Swift.print("journal: \(journal)") }
    }
}
