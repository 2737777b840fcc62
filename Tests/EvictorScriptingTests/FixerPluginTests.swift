import EvictorScripting
import EvictorTestSupport
import Foundation
import RegistryStorage
import Testing

@Suite("fixer plugins")
struct FixerPluginTests {
    static func store() throws -> (URL, StorageLayout) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-fixer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("docker/registry/v2/repositories/app/_manifests/tags"), withIntermediateDirectories: true)
        return (root, try StorageLayout(root: root.path))
    }

    static func fixer(_ source: String, layout: StorageLayout, in root: URL) async throws -> FixerPlugin {
        let file = root.appendingPathComponent("fixer.lua")
        try source.write(to: file, atomically: true, encoding: .utf8)
        return try await FixerPlugin.load(
            file: file.path, layout: layout, pluginPath: PluginPath(directories: [Fixtures.url("plugins").path]), log: { _, _ in })
    }

    @Test("a fixer's actions become paths inside the store; a path that leaves it is refused")
    func pathsStayInside() async throws {
        let (root, layout) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let plugin = try await Self.fixer(
            """
            return evictor.fixer {
              name = "greedy",
              check = function(store) return store:findings("tag-link-broken") end,
              fix = function(finding, actions)
                actions:drop_tag(finding.repository, finding.tag, "broken")
                actions:quarantine("../../etc", "escape")
              end,
            }
            """, layout: layout, in: root)
        let finding = StorageFinding(
            problem: .tagLinkBroken, repository: "app", tag: "v1", path: "repositories/app/_manifests/tags/v1", detail: "x", tags: ["v1"])
        let other = StorageFinding(problem: .noTags, repository: "b", path: "repositories/b", detail: "y")
        let actions = try await plugin.actions(for: [finding, other])
        #expect(actions.count == 2)
        #expect(try actions[0].relativePath() == "repositories/app/_manifests/tags/v1")
        #expect(throws: StorageError.self) { try actions[1].relativePath() }
    }

    @Test("a fixer without a reason, or whose check returns garbage, fails naming the file")
    func brokenFixers() async throws {
        let (root, layout) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let finding = StorageFinding(
            problem: .emptyBlob, repository: "", digest: "sha256:" + String(repeating: "e", count: 64), path: "blobs/x", detail: "x")
        let noReason = try await Self.fixer(
            """
            return evictor.fixer { name = "n", check = function(store) return store:findings() end,
              fix = function(finding, actions)
                actions:quarantine_blob(finding.digest)
              end }
            """, layout: layout, in: root)
        await #expect(throws: ScriptingError.self) { try await noReason.actions(for: [finding]) }
        do { _ = try await noReason.actions(for: [finding]) } catch { #expect("\(error)".contains("fixer.lua:3:"), "\(error)") }
        let garbage = try await Self.fixer(
            "return evictor.fixer { name = \"g\", check = function(store) return 7 end, fix = function() end }", layout: layout, in: root)
        await #expect(throws: ScriptingError.self) { try await garbage.actions(for: [finding]) }
    }
}
