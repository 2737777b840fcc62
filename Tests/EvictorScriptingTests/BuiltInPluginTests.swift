import EvictorScripting
import EvictorTestSupport
import Foundation
import LuaRuntime
import Testing

@Suite("built-in plugins and the layered plugin path")
struct BuiltInPluginTests {
    /// The package's files that must be built in, by their path in a plugin directory.
    static func filesOnDisk() throws -> [String: String] {
        var files: [String: String] = [:]
        for (folder, name) in [
            ("plugins/sources", "sources"), ("plugins/fixers", "fixers"), ("plugins/lib", "lib"), ("policies", "policies"),
            ("plugins/types", "types"),
        ] {
            let directory = Fixtures.url(folder)
            for entry in try FileManager.default.contentsOfDirectory(atPath: directory.path)
            where entry.hasSuffix(".lua") && !entry.hasSuffix("_test.lua") {
                files["\(name)/\(entry)"] = try String(contentsOf: directory.appendingPathComponent(entry), encoding: .utf8)
            }
        }
        return files
    }

    @Test("the built-ins are exactly plugins/sources, fixers, lib, types and policies/*.lua (no tests), byte for byte; types are no module")
    func builtInsMatchTheFiles() throws {
        let disk = try Self.filesOnDisk()
        #expect(BuiltInPlugins.paths == disk.keys.sorted())
        for (path, text) in disk {
            #expect(BuiltInPlugins.source(at: path) == text, "\(path) differs from the file")
        }
        #expect(BuiltInPlugins.paths.contains("sources/k8s.lua"))
        #expect(BuiltInPlugins.paths.contains("lib/retention.lua"))
        #expect(BuiltInPlugins.paths.contains("policies/in-use.lua"))
        #expect(!BuiltInPlugins.paths.contains { $0.hasSuffix("_test.lua") })
        // `plugins new` writes the type definitions; they are not a module `require` finds.
        #expect(BuiltInPlugins.paths.contains("types/evictor.d.lua"))
        #expect(!PluginPath(directories: []).sandbox.builtInModules.contains { $0.name.hasPrefix("types") })
    }

    @Test("with no plugin directories every kind comes from the built-ins, and built-in policies load and require lib.retention")
    func noDirectories() async throws {
        let path = PluginPath(directories: [])
        #expect(path.scripts(in: "sources").map(\.name) == ["compose", "k8s", "static", "usage"])
        #expect(path.scripts(in: "fixers").count == 8)
        #expect(path.scripts(in: "policies").map(\.name) == ["age", "in-use", "keep-last", "pulled-within", "untagged"])
        #expect(path.scripts(in: "lib").map(\.name) == ["retention"])
        #expect(path.scripts(in: "sources").allSatisfy { $0.origin == .builtIn })
        for name in ["in-use", "keep-last.lua", "untagged", "age"] {
            let policy = try await PolicyPlugin.load(named: name, pluginPath: path, log: quiet)
            #expect(policy.file == "built-in:policies/\(name.replacingOccurrences(of: ".lua", with: "")).lua")
        }
        let source = try await SourcePlugin.load(script: try #require(path.script(in: "sources", named: "static")), pluginPath: path, log: quiet)
        #expect(source.file == "built-in:sources/static.lua")
        let entries = await PluginCatalog.list(path)
        #expect(entries.allSatisfy { $0.origin == "built-in" && $0.error == nil }, "\(entries.filter { $0.error != nil })")
        #expect(Set(entries.map(\.kind)) == ["source", "fixer", "policy", "lib"])
    }

    @Test("a directory adds to and overrides the built-ins; require finds its lib before the built-in one")
    func directoryOverrides() async throws {
        let probe = """
            local retention = require("lib.retention")
            return evictor.policy { name = "probe", description = retention.marker or "embedded", decide = function() end }
            """
        try await withPlugins([
            "sources/static.lua": "return evictor.source { name = 'static', description = 'ours', collect = function() return {} end }",
            "lib/retention.lua": "return { marker = 'from disk' }",
            "policies/probe.lua": probe,
        ]) { path, root in
            let source = try #require(path.script(in: "sources", named: "static"))
            #expect(source.origin == .file(root.appendingPathComponent("sources/static.lua").path))
            #expect(path.scripts(in: "sources").map(\.name) == ["compose", "k8s", "static", "usage"])
            let overridden = try await PolicyPlugin.load(named: "probe", pluginPath: path, log: quiet)
            #expect(overridden.description == "from disk")
            let entries = await PluginCatalog.list(path)
            #expect(entries.first { $0.name == "static" }?.origin == root.appendingPathComponent("sources/static.lua").path)
            #expect(entries.first { $0.name == "lib.retention" }?.origin == root.appendingPathComponent("lib/retention.lua").path)
            #expect(entries.first { $0.name == "k8s" }?.origin == "built-in")
            // Without the override the built-in library is found.
            try FileManager.default.removeItem(at: root.appendingPathComponent("lib/retention.lua"))
            let builtIn = try await PolicyPlugin.load(named: "probe", pluginPath: path, log: quiet)
            #expect(builtIn.description == "embedded")
        }
    }

    @Test("the first directory wins over later ones")
    func firstDirectoryWins() async throws {
        try await withPlugins(["sources/static.lua": "-- first"]) { _, firstRoot in
            try await withPlugins(["sources/static.lua": "-- second"]) { _, secondRoot in
                let path = PluginPath(directories: [firstRoot.path, secondRoot.path])
                #expect(path.script(in: "sources", named: "static")?.origin == .file(firstRoot.appendingPathComponent("sources/static.lua").path))
                #expect(path.searched == [firstRoot.path, secondRoot.path, "built-in"])
            }
        }
    }

    @Test(
        "not found: a source, a policy name, a policy path and a require name --plugin-path, EVICTOR_PLUGIN_PATH and what was searched, on one line")
    func notFoundMessages() async throws {
        try await withPlugins([
            "policies/needs.lua": "local x = require('lib.nope')\nreturn evictor.policy { name = 'needs', decide = function() end }"
        ]) { path, root in
            var messages: [String] = []
            #expect(path.script(in: "sources", named: "nosuch") == nil)
            messages.append(ScriptingError.notFound(kind: "source", name: "nosuch", searched: path.searched).description)
            do throws(ScriptingError) {
                _ = try PolicyReference.resolve("nosuch", pluginPath: path)
                Issue.record("a missing policy name resolved")
            } catch {
                messages.append(error.description)
                #expect(error.description.hasPrefix("no policy named 'nosuch'"))
            }
            do throws(ScriptingError) {
                _ = try PolicyReference.resolve("nowhere/nosuch.lua", pluginPath: path)
                Issue.record("a missing policy file resolved")
            } catch {
                messages.append(error.description)
                #expect(error.description.contains("no such policy file"))
            }
            do throws(ScriptingError) {
                _ = try await PolicyPlugin.load(named: "needs", pluginPath: path, log: quiet)
                Issue.record("a missing module was required")
            } catch {
                messages.append(error.description)
                #expect(error.description.contains("needs.lua:1: module 'lib.nope' not found"), "\(error)")
            }
            for message in messages {
                #expect(message.contains("\(root.path), built-in"), "\(message)")
                #expect(message.contains("--plugin-path") && message.contains("EVICTOR_PLUGIN_PATH"), "\(message)")
                #expect(!message.contains("\n"), "\(message)")
            }
        }
    }

    @Test("a policy reference: an existing file is that file; a name or NAME.lua is looked up; a name never escapes policies/")
    func policyReference() throws {
        let path = PluginPath(directories: [])
        let file = Fixtures.url("policies/age.lua").path
        #expect(try PolicyReference.resolve(file, pluginPath: path).origin == .file(file))
        #expect(try PolicyReference.resolve("in-use", pluginPath: path) == PluginScript(name: "in-use", folder: "policies", origin: .builtIn))
        #expect(try PolicyReference.resolve("in-use.lua", pluginPath: path).origin == .builtIn)
        #expect(throws: ScriptingError.self) { try PolicyReference.resolve("../sources/static", pluginPath: path) }
        #expect(throws: ScriptingError.self) { try PolicyReference.resolve("in-use_test", pluginPath: path) }
        #expect(throws: ScriptingError.self) { try PolicyReference.resolve("", pluginPath: path) }
    }

    @Test("layers: the built-ins, then EVICTOR_PLUGIN_PATH entries, then --plugin-path ones; a later layer overrides an earlier one")
    func resolveOrder() {
        let path = PluginPath.resolve(explicit: ["/a", "/b"], environment: ["EVICTOR_PLUGIN_PATH": "/c::/a"])
        #expect(path.directories == ["/b", "/a", "/c"])
        #expect(path.searched == ["/b", "/a", "/c", "built-in"])
    }
}
