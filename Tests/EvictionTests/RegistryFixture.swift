import EvictorCore
import EvictorTestSupport
import Foundation
import RegistryAPI

/// A real registry with an in-process client, a layout to build images in and a work
/// directory; everything is stopped and removed when `body` returns or throws.
struct RegistryFixture {
    let registry: RegistryServer
    let client: RegistryClient
    let layout: OCILayoutBuilder
    let work: URL

    static let day: TimeInterval = 86_400
    static let base = Date(timeIntervalSince1970: 1_700_000_000)

    static func with<T>(_ body: (RegistryFixture) async throws -> T) async throws -> T {
        try await RegistryServer.with { registry in
            var configuration = RegistryClientConfiguration(endpoint: try RegistryEndpoint(parsing: registry.url))
            configuration.maxAttempts = 3
            configuration.initialBackoff = 0.05
            let client = try RegistryClient(configuration)
            let layout = try OCILayoutBuilder.temporary()
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-eviction-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let fixture = RegistryFixture(registry: registry, client: client, layout: layout, work: work)
            defer {
                layout.remove()
                try? FileManager.default.removeItem(at: work)
            }
            do {
                let result = try await body(fixture)
                await client.shutdown()
                return result
            } catch {
                await client.shutdown()
                throw error
            }
        }
    }

    static func spec(_ seed: String, day: Double, platform: OCIPlatform = .linuxAmd64, labels: [String: String] = [:]) -> TestImageSpec {
        TestImageSpec(created: base.addingTimeInterval(day * Self.day), layerSeed: seed, platform: platform, labels: labels)
    }

    /// Builds an image and pushes it as `repository:tag`.
    @discardableResult
    func push(_ repository: String, _ tag: String, _ spec: TestImageSpec) async throws -> BuiltManifest {
        let built = try layout.addImage(tag: tag, spec)
        try await Skopeo.push(layout: layout, tag: tag, to: registry, repository: repository)
        return built
    }

    /// Builds an index of `specs` and pushes it (with its children) as `repository:tag`.
    @discardableResult
    func pushIndex(_ repository: String, _ tag: String, _ specs: [TestImageSpec]) async throws -> BuiltManifest {
        let built = try layout.addIndex(tag: tag, specs)
        try await Skopeo.push(layout: layout, tag: tag, to: registry, repository: repository)
        return built
    }

    /// Points `tag` at an already pushed manifest.
    func tag(_ repository: String, _ tag: String, _ built: BuiltManifest) async throws {
        try await client.putManifest(repository, reference: tag, bytes: [UInt8](built.bytes), mediaType: built.mediaType)
    }

    /// The size of a blob the layout holds.
    func blobSize(_ digest: String) throws -> Int64 {
        let url = layout.directory.appendingPathComponent("blobs/sha256/\(digest.dropFirst(7))")
        return Int64(try Data(contentsOf: url).count)
    }

    /// The digest a tag or digest reference resolves to now, or nil when the registry does not have it.
    func current(_ repository: String, _ reference: String) async throws -> Digest? {
        try await client.manifestHead(repository, reference: reference)?.digest
    }

    func journalPath(_ name: String = "journal.jsonl") -> String {
        work.appendingPathComponent(name).path
    }

    static func plan(_ registry: RegistryServer, _ actions: [Plan.Action]) -> Plan {
        Plan(
            createdAt: base, registry: registry.url, policy: Plan.Input(name: "unit", file: "unit.lua", sha256: String(repeating: "0", count: 64)),
            inventory: nil, settings: Plan.Settings(), actions: actions, repositories: []
        )
    }

    static func action(_ repository: String, _ built: BuiltManifest, tags: [String], phase: Int = 2) throws -> Plan.Action {
        Plan.Action(
            repository: repository, digest: try Digest(parsing: built.digest), mediaType: built.mediaType, tags: tags, reasons: ["unit test"],
            size: 0, phase: phase)
    }
}

func digest(_ text: String) throws -> Digest { try Digest(parsing: text) }
