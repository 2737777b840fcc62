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

    @Test("fixers declare typed options like every plugin: checked, converted and passed to check and fix")
    func fixerOptions() async throws {
        let (root, layout) = try Self.store()
        defer { try? FileManager.default.removeItem(at: root) }
        let plugin = try await Self.fixer(
            """
            return evictor.fixer {
              name = "aged",
              options = {
                older_than = { type = "duration", default = "7d", description = "only damage older than this" },
                mode = { type = "enum", values = { "drop", "keep" }, default = "drop" },
              },
              check = function(store, opts)
                if opts.mode == "keep" then return {} end
                return store:findings("tag-link-broken")
              end,
              fix = function(finding, actions, opts)
                actions:drop_tag(finding.repository, finding.tag, string.format("older than %d s", opts.older_than))
              end,
            }
            """, layout: layout, in: root)
        #expect(plugin.options.map(\.name) == ["mode", "older_than"])
        let finding = StorageFinding(
            problem: .tagLinkBroken, repository: "app", tag: "v1", path: "repositories/app/_manifests/tags/v1", detail: "x", tags: ["v1"])
        let defaults = try await plugin.actions(for: [finding], options: try plugin.resolveOptions(settings: []))
        #expect(defaults.map(\.reason) == ["older than 604800 s"])
        let given = try await plugin.actions(for: [finding], options: try plugin.resolveOptions(settings: [("older-than", "2h")]))
        #expect(given.map(\.reason) == ["older than 7200 s"], "a - for a _ is accepted")
        #expect(try await plugin.actions(for: [finding], options: try plugin.resolveOptions(settings: [("mode", "keep")])).isEmpty)
        #expect(throws: ScriptingError.invalidOption("fixer aged: option 'mode': expected one of drop, keep, got \"maybe\"")) {
            try plugin.resolveOptions(settings: [("mode", "maybe")])
        }
        #expect(
            throws: ScriptingError.invalidOption("fixer aged: option 'older_than': expected a duration such as 90s, 30m, 12h, 7d or 2w, got \"soon\"")
        ) {
            try plugin.resolveOptions(settings: [("older_than", "soon")])
        }
    }

    @Test("fixer tests: a store fixture answers the store handle; the built-in test passes, a wrong expectation fails")
    func fixerTests() async throws {
        let builtIn = try await FixerTestRunner.run(
            testFile: Fixtures.url("plugins/fixers/broken-tags_test.lua").path, pluginPath: PluginPath(directories: [Fixtures.url("plugins").path]),
            log: { _, _ in })
        #expect(builtIn.count == 2 && builtIn.allSatisfy(\.passed), "\(builtIn.map { $0.failure ?? "ok" })")
        try await withPlugins([
            "fixers/sized.lua": """
            return evictor.fixer { name = "sized", options = { min = { type = "integer", default = 1 } },
              check = function(store) return store:findings("empty-blob") end,
              fix = function(finding, actions, opts)
                if (opts.min or 0) > 0 then actions:quarantine_blob(finding.digest, "empty") end
              end }
            """,
            "fixers/reads.lua": """
            return evictor.fixer { name = "reads",
              check = function(store)
                local out = {}
                for tag, digest in pairs(store:tags("app")) do
                  if digest == false then out[#out + 1] = { problem = "tag-link-broken", repository = "app", tag = tag } end
                end
                return out
              end,
              fix = function(finding, actions) actions:drop_tag(finding.repository, finding.tag, "broken") end }
            """,
            "fixers/sized_test.lua": """
            local empty = { problem = "empty-blob", repository = "", digest = "sha256:" .. string.rep("0", 64), path = "blobs/x", detail = "" }
            return evictor.fixer_test { fixer = "sized.lua", cases = {
              { name = "right", findings = { empty }, expect = { { kind = "quarantine_blob", digest = empty.digest } } },
              { name = "off", findings = { empty }, options = { min = 0 }, expect = {} },
              { name = "wrong", findings = { empty }, expect = {} },
              { name = "bad option", findings = { empty }, options = { min = "x" }, expect_error = "option 'min': expected an integer" },
            } }
            """,
            "fixers/reads_test.lua": """
            return evictor.fixer_test { fixer = "reads.lua", cases = {
              { name = "store fixture", store = { tags = { app = { v1 = "sha256:" .. string.rep("a", 64), v2 = false } } },
                expect = { { kind = "drop_tag", repository = "app", tag = "v2" } } },
            } }
            """,
        ]) { path, root in
            let sized = try await FixerTestRunner.run(
                testFile: root.appendingPathComponent("fixers/sized_test.lua").path, pluginPath: path, log: { _, _ in })
            #expect(sized.map(\.passed) == [true, true, false, true], "\(sized.map { $0.failure ?? "ok" })")
            let reads = try await FixerTestRunner.run(
                testFile: root.appendingPathComponent("fixers/reads_test.lua").path, pluginPath: path, log: { _, _ in })
            #expect(reads.map(\.passed) == [true], "\(reads.map { $0.failure ?? "ok" })")
        }
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
