import EvictorScripting
import Foundation
import LuaRuntime
import Synchronization
import Testing

/// Shared plugin repositories: layers that override, namespaced modules, the API version.
@Suite("plugin repositories and the layered plugin path")
struct PluginRepositoryTests {
    /// Directories made from `layout` (directory name -> relative path -> text), removed after `body`.
    static func directories(_ layout: [String: [String: String]], _ body: ([String: String]) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-repos-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var paths: [String: String] = [:]
        for (directory, files) in layout {
            let base = root.appendingPathComponent(directory)
            try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
            for (relative, text) in files {
                let url = base.appendingPathComponent(relative)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: url, atomically: true, encoding: .utf8)
            }
            paths[directory] = base.path
        }
        try await body(paths)
    }

    static func policy(_ description: String, require module: String? = nil) -> String {
        let load = module.map { "local util = require(\"\($0)\")\n" } ?? ""
        let text = module == nil ? "\"\(description)\"" : "util.who"
        return load + "return evictor.policy { name = \"p\", description = \(text), decide = function() end }\n"
    }

    @Test("a later --plugin-path overrides an earlier one and the built-in, and says so once when it loads")
    func laterLayersOverride() async throws {
        try await Self.directories([
            "first": ["policies/p.lua": Self.policy("first"), "policies/age.lua": Self.policy("my age")],
            "second": ["policies/p.lua": Self.policy("second")],
        ]) { (dirs: [String: String]) async throws in
            let path = PluginPath.resolve(explicit: [dirs["first"] ?? "", dirs["second"] ?? ""], environment: [:])
            let logged = Mutex<[String]>([])
            let log: LuaLogHandler = { level, message in if level == .warning { logged.withLock { $0.append(message) } } }
            let p = try await PolicyPlugin.load(named: "p", pluginPath: path, log: log)
            #expect(p.description == "second")
            let age = try await PolicyPlugin.load(named: "age", pluginPath: path, log: log)
            #expect(age.description == "my age")
            let messages = logged.withLock { $0 }
            #expect(messages.count == 2, "\(messages)")
            #expect(messages.first?.hasSuffix("overrides \(dirs["first"] ?? "")/policies/p.lua") == true, "\(messages)")
            #expect(messages.last?.hasSuffix("overrides the built-in policies/age.lua") == true, "\(messages)")
            let listed = path.scripts(in: "policies").first { $0.name == "p" }
            #expect(listed?.overrides == "\(dirs["first"] ?? "")/policies/p.lua")
        }
    }

    @Test("two repositories with a lib module of the same name do not collide: each is required by its repository's name")
    func namespacedModules() async throws {
        try await Self.directories([
            "acme": [
                "evictor-plugins.yaml": "name: acme\nversion: 1.0.0\napi: 1\ndescription: ACME rules\n",
                "lib/util.lua": "return { who = \"acme\" }\n", "policies/a.lua": Self.policy("", require: "acme.util"),
            ],
            "beta": [
                "evictor-plugins.yaml": "name: beta\nversion: 0.1.0\n",
                "lib/util.lua": "return { who = \"beta\" }\n", "policies/b.lua": Self.policy("", require: "beta.util"),
                "policies/shadow.lua": Self.policy("", require: "lib.util"),
            ],
        ]) { (dirs: [String: String]) async throws in
            let path = PluginPath.resolve(explicit: [dirs["acme"] ?? "", dirs["beta"] ?? ""], environment: [:])
            #expect(try path.repositories().map(\.name) == ["beta", "acme"])
            #expect(try await PolicyPlugin.load(named: "a", pluginPath: path, log: quiet).description == "acme")
            #expect(try await PolicyPlugin.load(named: "b", pluginPath: path, log: quiet).description == "beta")
            // A repository's modules are not in the shared lib.* namespace, so none shadows another's.
            let error = await #expect(throws: ScriptingError.self) { try await PolicyPlugin.load(named: "shadow", pluginPath: path, log: quiet) }
            #expect("\(error.map { "\($0)" } ?? "")".contains("module 'lib.util' not found"), "\(String(describing: error))")
            #expect(
                try await PolicyPlugin.load(named: "keep-last", pluginPath: path, log: quiet).name == "keep-last",
                "built-in lib.retention still found")
        }
    }

    @Test("a repository or a plugin that needs a newer plugin API fails at load in one line; bad manifests name the file")
    func apiVersion() async throws {
        try await Self.directories([
            "future": ["evictor-plugins.yaml": "name: future\napi: 2\n", "policies/f.lua": Self.policy("f")],
            "plain": [
                "policies/newer.lua": "return evictor.policy { name = \"n\", api = 99, decide = function() end }\n",
                "policies/current.lua": "return evictor.policy { name = \"c\", api = 1, decide = function() end }\n",
            ],
            "broken": ["evictor-plugins.yaml": "name: Not A Name\n"],
            "twin1": ["evictor-plugins.yaml": "name: twin\n"],
            "twin2": ["evictor-plugins.yaml": "name: twin\n"],
        ]) { (dirs: [String: String]) async throws in
            let future = PluginPath.resolve(explicit: [dirs["future"] ?? ""], environment: [:])
            await #expect(
                throws: ScriptingError.invalidSpec(
                    file: "\(dirs["future"] ?? "")/evictor-plugins.yaml",
                    reason: "repository future needs plugin API 2; this evictor provides API 1 (upgrade evictor)")
            ) {
                try await PolicyPlugin.load(named: "f", pluginPath: future, log: quiet)
            }
            let plain = PluginPath.resolve(explicit: [dirs["plain"] ?? ""], environment: [:])
            await #expect(
                throws: ScriptingError.invalidSpec(
                    file: "\(dirs["plain"] ?? "")/policies/newer.lua", reason: "needs plugin API 99; this evictor provides API 1 (upgrade evictor)")
            ) {
                try await PolicyPlugin.load(named: "newer", pluginPath: plain, log: quiet)
            }
            #expect(try await PolicyPlugin.load(named: "current", pluginPath: plain, log: quiet).name == "c")
            #expect(throws: ScriptingError.self) { try PluginRepository.load(directory: dirs["broken"] ?? "") }
            let twins = PluginPath.resolve(explicit: [dirs["twin1"] ?? "", dirs["twin2"] ?? ""], environment: [:])
            #expect(throws: ScriptingError.self) { try twins.repositories() }
        }
    }
}
