import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// `evictor copy` between two real registries, read back with skopeo.
@Suite("evictor copy between two registries")
struct CopyTests {
    static let base = Date(timeIntervalSince1970: 1_700_000_000)

    /// A signature artifact on `subject` (an OCI manifest with `subject` and `artifactType`),
    /// stored untagged in `repository`, and the referrers tag-schema index `sha256-<hex>` that
    /// lists it (Distribution 2.8 has no referrers API). Returns the signature's digest.
    static func seedSignature(_ seeder: StorageSeeder, repository: String, subject: BuiltManifest) throws -> String {
        let empty = Data("{}".utf8)
        let emptyDigest = try seeder.blob(empty)
        let payload = Data("signature of \(subject.digest)\n".utf8)
        let payloadDigest = try seeder.blob(payload)
        let signature = Data(
            (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.signature","#
                + #""config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"\#(emptyDigest)","size":2},"#
                + #""layers":[{"mediaType":"application/vnd.example.signature.v1","digest":"\#(payloadDigest)","size":\#(payload.count)}],"#
                + #""subject":{"mediaType":"\#(subject.mediaType)","digest":"\#(subject.digest)","size":\#(subject.bytes.count)}}"#).utf8)
        // Also under cosign's tag for it, `sha256-<hex>.sig`.
        let signatureDigest = try seeder.manifest(
            repository: repository, tags: ["sha256-\(subject.digest.dropFirst(7)).sig"], bytes: signature, blobs: [emptyDigest, payloadDigest])
        let index = Data(
            (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"#
                + #""mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(signatureDigest)","size":\#(signature.count),"#
                + #""artifactType":"application/vnd.example.signature"}]}"#).utf8)
        try seeder.manifest(repository: repository, tags: ["sha256-\(subject.digest.dropFirst(7))"], bytes: index, blobs: [])
        return signatureDigest
    }

    /// The blob uploads a registry completed, by digest (its access log: `PUT ...digest=...` 201).
    static func completedUploads(_ registry: RegistryServer) throws -> [String: Int] {
        let log = try String(contentsOf: registry.logFile, encoding: .utf8)
        var counts: [String: Int] = [:]
        for line in log.split(separator: "\n") where line.contains("\"PUT /v2/") && line.contains("/blobs/uploads/") && line.contains("\" 201 ") {
            guard let range = line.range(of: #"digest=sha256(:|%3A)[0-9a-f]{64}"#, options: .regularExpression) else { continue }
            counts[String(line[range].suffix(64)), default: 0] += 1
        }
        return counts
    }

    /// Mounts a registry answered 201 (its access log: `POST ...?mount=...` 201).
    static func completedMounts(_ registry: RegistryServer) throws -> Int {
        let log = try String(contentsOf: registry.logFile, encoding: .utf8)
        return log.split(separator: "\n").filter { $0.contains("\"POST /v2/") && $0.contains("mount=") && $0.contains("\" 201 ") }.count
    }

    static func json(_ result: ProcessResult) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]) ?? [:]
    }

    static func loggingRegistry() -> RegistryOptions {
        var options = RegistryOptions()
        options.accessLog = true
        return options
    }

    @Test("images, a two-platform index and a signature arrive byte for byte; a shared layer is sent once and mounted; a rerun copies nothing")
    func copiesByteForByte() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-copy-source-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let seeder = StorageSeeder(root: root)
        // One image in two repositories: the second copy mounts the first's blobs.
        let app = try seeder.image(repository: "team/app", tags: ["v1", "stable"], spec: TestImageSpec(created: Self.base, layerSeed: "app-v1"))
        try seeder.image(repository: "other/app", tags: ["v1"], spec: TestImageSpec(created: Self.base, layerSeed: "app-v1"))
        try seeder.image(repository: "team/old", tags: ["v1"], spec: TestImageSpec(created: Self.base, layerSeed: "old"))
        let signature = try Self.seedSignature(seeder, repository: "team/app", subject: app)
        var sourceOptions = RegistryOptions()
        sourceOptions.storageRoot = root
        try await RegistryServer.with(sourceOptions) { source in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let index = try layout.addIndex(
                tag: "v1",
                [
                    TestImageSpec(created: Self.base, layerSeed: "multi-amd64", platform: OCIPlatform(architecture: "amd64")),
                    TestImageSpec(created: Self.base, layerSeed: "multi-arm64", platform: OCIPlatform(architecture: "arm64")),
                ])
            try await Skopeo.push(layout: layout, tag: "v1", to: source, repository: "team/multi")
            try await RegistryServer.with(Self.loggingRegistry()) { destination in
                let work = try EvictionTests.workDirectory()
                defer { try? FileManager.default.removeItem(at: work) }
                let journal = work.appendingPathComponent("copy.jsonl").path
                let arguments = [
                    "copy", source.url, destination.url, "-r", "team/app:v1", "-r", "other/app", "-r", "team/multi:v1", "--referrers",
                ]
                let dry = try await EvictorBinary.run(arguments + ["--dry-run", "--output", "json"])
                #expect(dry.status == 0, "\(dry.stderrText)")
                #expect(Self.json(dry)["images_copied"] as? Int == 3, "\(dry.stdoutText)")
                #expect(try Self.completedUploads(destination).isEmpty, "a dry run writes nothing")
                #expect(!FileManager.default.fileExists(atPath: journal))

                let copied = try await EvictorBinary.run(arguments + ["--journal", journal, "--output", "json"])
                #expect(copied.status == 0, "\(copied.stderrText)")
                let report = Self.json(copied)
                #expect(report["images"] as? Int == 3 && report["images_copied"] as? Int == 3, "\(copied.stdoutText)")
                #expect(report["blobs_mounted"] as? Int == 2, "config and layer of other/app mounted: \(copied.stdoutText)")
                #expect(report["blobs_sent"] as? Int == 2 + 4 + 2, "app, both platforms, the signature: \(copied.stdoutText)")
                #expect(report["dry_run"] as? Bool == false)
                #expect(try Self.completedMounts(destination) == 2)
                let uploads = try Self.completedUploads(destination)
                #expect(uploads.count == 8 && uploads.values.allSatisfy { $0 == 1 }, "each blob sent once: \(uploads)")

                let references = [
                    "team/app:v1", "other/app:v1", "team/multi:v1", "team/multi@\(index.children[0].digest)",
                    "team/multi@\(index.children[1].digest)", "team/app@\(signature)", "team/app:sha256-\(app.digest.dropFirst(7))",
                    "team/app:sha256-\(app.digest.dropFirst(7)).sig",
                ]
                for reference in references {
                    let original = try await Skopeo.inspectRaw(source, reference)
                    #expect(try await Skopeo.inspectRaw(destination, reference) == original, "\(reference)")
                }
                #expect(await !Skopeo.canInspect(destination, "team/app:stable"), "only the tag asked for")
                #expect(await !Skopeo.canInspect(destination, "team/old:v1"))
                let pulled = work.appendingPathComponent("pulled")
                try await ProcessRunner.check(
                    "skopeo",
                    [
                        "--insecure-policy", "copy", "--all", "--src-tls-verify=false", "docker://\(destination.hostPort)/team/multi:v1",
                        "oci:\(pulled.path):v1",
                    ])

                let again = try await EvictorBinary.run(
                    arguments + ["--output", "json", "--journal", work.appendingPathComponent("again.jsonl").path])
                #expect(again.status == 0, "\(again.stderrText)")
                let second = Self.json(again)
                #expect(second["images_copied"] as? Int == 0 && second["images_present"] as? Int == 3, "\(again.stdoutText)")
                #expect(second["blobs_sent"] as? Int == 0 && second["manifests_put"] as? Int == 0 && second["tags_set"] as? Int == 0)
                #expect(try Self.completedUploads(destination) == uploads)

                // --rename, and a destination tag on another digest is left alone (exit 3).
                let renamed = try await EvictorBinary.run(
                    ["copy", source.url, destination.url, "-r", "team/app:v1", "--rename", "team/=archive/team/"], currentDirectory: work)
                #expect(renamed.status == 0, "\(renamed.stderrText)")
                #expect(try await Skopeo.inspectRaw(destination, "archive/team/app:v1") == (try await Skopeo.inspectRaw(source, "team/app:v1")))
                let clash = try await EvictorBinary.run(
                    ["copy", source.url, destination.url, "-r", "team/old:v1", "--rename", "team/old=team/app"], currentDirectory: work)
                #expect(clash.status == 3, "\(clash.stdoutText)\(clash.stderrText)")
                #expect(clash.stdoutText.contains("tag left alone\tteam/app:v1"), "\(clash.stdoutText)")
                #expect(try await Skopeo.inspectRaw(destination, "team/app:v1") == (try await Skopeo.inspectRaw(source, "team/app:v1")))
                let moved = try await EvictorBinary.run(
                    ["copy", source.url, destination.url, "-r", "team/old:v1", "--rename", "team/old=team/app", "--overwrite-tags"],
                    currentDirectory: work)
                #expect(moved.status == 0, "\(moved.stderrText)")
                #expect(try await Skopeo.inspectRaw(destination, "team/app:v1") == (try await Skopeo.inspectRaw(source, "team/old:v1")))
                let journals = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasPrefix("evictor-copy-") }
                #expect(journals.count == 3, "a default journal per run: \(journals)")
            }
        }
    }

    /// An image whose one layer is `size` pseudo-random bytes, stored without being held.
    @discardableResult
    static func seedLargeImage(_ seeder: StorageSeeder, repository: String, tag: String, size: Int) throws -> String {
        let layer = try seeder.largeBlob(size: size, seed: 7)
        let config = Data(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["\#(layer)"]}}"#.utf8)
        let configDigest = try seeder.blob(config)
        let manifest = Data(
            (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","#
                + #""config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(configDigest)","size":\#(config.count)},"#
                + #""layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(layer)","size":\#(size)}]}"#).utf8)
        return try seeder.manifest(repository: repository, tags: [tag], bytes: manifest, blobs: [configDigest, layer])
    }

    @Test("a 200 MB layer streams in little memory; killed and run again with its journal, no finished blob is sent twice")
    func streamsAndResumes() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-copy-large-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let seeder = StorageSeeder(root: root)
        let size = 200 << 20
        try Self.seedLargeImage(seeder, repository: "big/app", tag: "v1", size: size)
        for number in 1...30 {
            try seeder.image(
                repository: "small/app\(number % 5)", tags: ["v\(number)"], spec: TestImageSpec(created: Self.base, layerSeed: "small-\(number)"))
        }
        var sourceOptions = RegistryOptions()
        sourceOptions.storageRoot = root
        try await RegistryServer.with(sourceOptions) { source in
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            try await RegistryServer.with { destination in
                let (measured, peakKiB) = try await EvictorBinary.runMeasuringMemory(
                    ["copy", source.url, destination.url, "-r", "big/app:v1", "--journal", work.appendingPathComponent("big.jsonl").path])
                #expect(measured.status == 0, "\(measured.stderrText)")
                #expect(try await Skopeo.inspectRaw(destination, "big/app:v1") == (try await Skopeo.inspectRaw(source, "big/app:v1")))
                print("copy of a 200 MiB layer: peak RSS \(peakKiB / 1024) MiB")
                #expect(peakKiB < 100 * 1024, "peak \(peakKiB) KiB for a 200 MiB layer")
            }
            try await RegistryServer.with(Self.loggingRegistry()) { destination in
                let journal = work.appendingPathComponent("killed.jsonl").path
                let arguments = ["copy", source.url, destination.url, "--all", "--journal", journal, "--output", "json", "--concurrency", "2"]
                let (killedRun, killed) = try await EvictorBinary.run(arguments) {
                    let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
                    return text.components(separatedBy: #""event":"blob""#).count > 12
                }
                #expect(killed, "killed in the middle: \(killedRun.stdoutText)")
                // Whole lines only: a line the kill cut short is dropped when the journal is opened again.
                let written = try String(contentsOfFile: journal, encoding: .utf8)
                let earlier = written.split(separator: "\n", omittingEmptySubsequences: false).dropLast().filter { $0.contains(#""event":"blob""#) }
                    .count
                let resumed = try await EvictorBinary.run(arguments)
                #expect(resumed.status == 0, "\(resumed.stderrText)")
                let report = Self.json(resumed)
                #expect(report["images"] as? Int == 31 && report["images_failed"] as? Int == 0, "\(resumed.stdoutText)")
                #expect(report["blobs_by_earlier_run"] as? Int == earlier, "\(earlier) journaled: \(resumed.stdoutText)")
                let uploads = try Self.completedUploads(destination)
                #expect(uploads.count == 62, "every blob once: \(uploads.count)")
                #expect(uploads.values.allSatisfy { $0 == 1 }, "no blob sent twice: \(uploads.filter { $0.value > 1 })")
                for reference in ["big/app:v1", "small/app1:v1", "small/app0:v30"] {
                    #expect(try await Skopeo.inspectRaw(destination, reference) == (try await Skopeo.inspectRaw(source, reference)), "\(reference)")
                }
            }
            // SIGTERM: in-flight images finish, the rest are not started; one line says how to resume.
            try await RegistryServer.with { destination in
                let journal = work.appendingPathComponent("terminated.jsonl").path
                let arguments = ["copy", source.url, destination.url, "--all", "--concurrency", "1", "--journal", journal]
                let (stopped, signalled) = try await EvictorBinary.run(arguments, signal: SIGTERM) {
                    let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
                    return text.components(separatedBy: #""event":"blob""#).count > 4
                }
                #expect(signalled)
                #expect(stopped.status == 143, "\(stopped.stdoutText)\(stopped.stderrText)")
                let line = stopped.stderrText.split(separator: "\n").last.map(String.init) ?? ""
                #expect(line.contains("stopped by SIGTERM") && line.contains("images not started; resume with:"), "\(line)")
                let resumed = try await EvictorBinary.run(arguments)
                #expect(resumed.status == 0, "\(resumed.stderrText)")
                #expect(try await Skopeo.inspectRaw(destination, "big/app:v1") == (try await Skopeo.inspectRaw(source, "big/app:v1")))
            }
        }
    }

    @Test("with an inventory: its images on the source (aliases, digests, :latest) are copied, others listed as skipped; bad input is one line")
    func inventoryAndBadInput() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-copy-inventory-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let seeder = StorageSeeder(root: root)
        try seeder.image(repository: "shop/web", tags: ["v1", "v2"], spec: TestImageSpec(created: Self.base, layerSeed: "web-v1"))
        let pinned = try seeder.image(repository: "shop/api", tags: ["v7"], spec: TestImageSpec(created: Self.base, layerSeed: "api-v7"))
        try seeder.image(repository: "shop/db", tags: ["latest", "v1"], spec: TestImageSpec(created: Self.base, layerSeed: "db"))
        try seeder.image(repository: "shop/unused", tags: ["v1"], spec: TestImageSpec(created: Self.base, layerSeed: "unused"))
        var sourceOptions = RegistryOptions()
        sourceOptions.storageRoot = root
        try await RegistryServer.with(sourceOptions) { source in
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            func image(_ text: String) throws -> InventoryImage {
                InventoryImage(reference: try ImageReference(parsing: text), seenAt: ["static;list"], sources: ["static"])
            }
            let inventory = Inventory(images: [
                try image("registry.example.com/shop/web:v1"),
                try image("\(source.hostPort)/shop/api@\(pinned.digest)"),
                try image("registry.example.com/shop/db"),
                try image("docker.io/library/nginx:1.25"),
            ])
            let inventoryPath = work.appendingPathComponent("images.json").path
            try InventoryFile.write(inventory, to: inventoryPath)
            try await RegistryServer.with { destination in
                let copied = try await EvictorBinary.run(
                    ["copy", source.url, destination.url, "--inventory", inventoryPath, "--registry-alias", "registry.example.com"],
                    currentDirectory: work)
                #expect(copied.status == 0, "\(copied.stdoutText)\(copied.stderrText)")
                #expect(copied.stdoutText.contains("skipped\tdocker.io/library/nginx:1.25\t(on another registry)"), "\(copied.stdoutText)")
                #expect(copied.stdoutText.contains("copied 3 of 3 images"), "\(copied.stdoutText)")
                #expect(await Skopeo.canInspect(destination, "shop/web:v1"))
                #expect(await !Skopeo.canInspect(destination, "shop/web:v2"))
                #expect(await Skopeo.canInspect(destination, "shop/api@\(pinned.digest)"))
                #expect(await !Skopeo.canInspect(destination, "shop/api:v7"), "a digest reference copies the digest")
                #expect(await Skopeo.canInspect(destination, "shop/db:latest"))
                #expect(await !Skopeo.canInspect(destination, "shop/unused:v1"))

                // Bad input: one line on stderr, exit 2 (64 for usage), nothing written.
                let closed = try ClosedPort()
                defer { withExtendedLifetime(closed) {} }
                let deletionJournal = work.appendingPathComponent("deletions.jsonl")
                try Data(#"{"event":"begin","at":"2026-01-01T00:00:00Z","registry":"x"}"#.utf8 + [10]).write(to: deletionJournal)
                let otherCopy = work.appendingPathComponent("other-copy.jsonl")
                try Data(#"{"event":"begin","at":"2026-01-01T00:00:00Z","source":"a:1","destination":"b:2"}"#.utf8 + [10]).write(to: otherCopy)
                let cases: [([String], Int32, String)] = [
                    (["copy", source.url, destination.url], 64, "say what to copy"),
                    (["copy", source.url, destination.url, "--all", "-r", "shop/web"], 64, "say what to copy"),
                    (["copy", source.url, "http://127.0.0.1:\(closed.port)", "--all"], 2, "127.0.0.1:\(closed.port)"),
                    (["copy", source.url, destination.url, "-r", "nosuch/repo"], 2, "nosuch/repo"),
                    (["copy", source.url, destination.url, "--all", "--rename", "team"], 2, "--rename team: expected FROM=TO"),
                    (["copy", source.url, destination.url, "--inventory", "/nonexistent/images.json"], 2, "/nonexistent/images.json"),
                    (["copy", source.url, destination.url, "--all", "--journal", deletionJournal.path], 2, deletionJournal.path),
                    (["copy", source.url, destination.url, "--all", "--journal", otherCopy.path], 2, "journal of a copy from a:1 to b:2"),
                ]
                for (arguments, status, culprit) in cases {
                    let result = try await EvictorBinary.run(arguments, currentDirectory: work)
                    #expect(result.status == status, "\(arguments): \(result.stderrText)")
                    #expect(result.stderrText.contains(culprit), "\(arguments): \(result.stderrText)")
                    if status == 2 { #expect(result.stderrText.split(separator: "\n").count == 1, "\(arguments): \(result.stderrText)") }
                }
                #expect(await !Skopeo.canInspect(destination, "shop/unused:v1"))
                let journals = try FileManager.default.contentsOfDirectory(atPath: work.path).filter { $0.hasPrefix("evictor-copy-") }
                #expect(journals.count == 1, "a run that could not start leaves no journal behind: \(journals)")

                // An image the source does not have fails alone, listed with why (exit 1); the rest is copied.
                let partly = try await EvictorBinary.run(
                    ["copy", source.url, destination.url, "-r", "shop/web:nosuch", "-r", "shop/web:v2", "--output", "json"], currentDirectory: work)
                #expect(partly.status == 1, "\(partly.stderrText)")
                let failures = (Self.json(partly)["failures"] as? [[String: Any]]) ?? []
                #expect(failures.count == 1 && (failures.first?["image"] as? String) == "shop/web:nosuch", "\(partly.stdoutText)")
                #expect("\(failures.first?["reason"] ?? "")".contains("not found"), "\(partly.stdoutText)")
                #expect(await Skopeo.canInspect(destination, "shop/web:v2"))

                // Both registries by their names in evictor.yaml.
                let config = work.appendingPathComponent("evictor.yaml")
                try Data(
                    "version: 1\nregistries:\n  - name: old\n    url: \(source.url)\n  - name: new\n    url: \(destination.url)\n".utf8
                ).write(to: config)
                let named = try await EvictorBinary.run(
                    ["copy", "old", "new", "-r", "shop/unused:v1", "--config", config.path], currentDirectory: work)
                #expect(named.status == 0, "\(named.stderrText)")
                #expect(await Skopeo.canInspect(destination, "shop/unused:v1"))
            }
            // A destination that wants a password it is not given.
            try await RegistryServer.withBasicAuth(user: "copier", password: "s3cret-copy") { guarded in
                let refused = try await EvictorBinary.run(
                    ["copy", source.url, guarded.url, "--all", "--dest-username", "copier", "--dest-password-stdin"], input: Data("wrong\n".utf8),
                    currentDirectory: work)
                #expect(refused.status == 2, "\(refused.stderrText)")
                #expect(
                    refused.stderrText.contains("authentication failed") && refused.stderrText.split(separator: "\n").count == 1,
                    "\(refused.stderrText)")
                let accepted = try await EvictorBinary.run(
                    ["copy", source.url, guarded.url, "-r", "shop/web:v1", "--dest-username", "copier", "--dest-password-stdin"],
                    input: Data("s3cret-copy\n".utf8), currentDirectory: work)
                #expect(accepted.status == 0, "\(accepted.stderrText)")
                #expect(!accepted.stdoutText.contains("s3cret") && !accepted.stderrText.contains("s3cret"))
                // The source's variables never reach the destination.
                let leaked = try await EvictorBinary.run(
                    ["copy", source.url, guarded.url, "-r", "shop/web:v1"],
                    environment: ["EVICTOR_USERNAME": "copier", "EVICTOR_PASSWORD": "s3cret-copy"],
                    currentDirectory: work)
                #expect(leaked.status == 2, "\(leaked.stderrText)")
                let destinationVariables = try await EvictorBinary.run(
                    ["copy", source.url, guarded.url, "-r", "shop/db:v1"],
                    environment: ["EVICTOR_DEST_USERNAME": "copier", "EVICTOR_DEST_PASSWORD": "s3cret-copy"],
                    currentDirectory: work)
                #expect(destinationVariables.status == 0, "\(destinationVariables.stderrText)")
            }
        }
    }
}
