import EvictorCore
import EvictorScripting
import Foundation
import LuaRuntime
import Testing

/// A temporary plugin directory with the given source files.
func withPlugins(_ files: [String: String], _ body: (PluginPath, URL) async throws -> Void) async throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-plugins-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    for (relative, text) in files {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    try await body(PluginPath(directories: [root.path]), root)
}

let quiet: LuaLogHandler = { _, _ in }

@Suite("The source API")
struct SourcePluginTests {
    @Test("a source declares options and capabilities, and its images are validated")
    func collects() async throws {
        let source = #"""
            local common = require("lib.common")
            return evictor.source {
              name = "demo", version = "1.2", description = "demo source",
              argument = "prefix",
              options = { prefix = { type = "string", default = "reg.io" }, count = { type = "number", default = 2 } },
              capabilities = { env = { "HOME" } },
              collect = function(opts, host)
                assert(host.run == nil and host.read_file == nil, "undeclared capabilities must be absent")
                assert(type(host.env("HOME")) == "string")
                local images = {}
                for i = 1, opts.count do
                  images[#images + 1] = { image = opts.prefix .. "/app:" .. i, seen_at = common.where(i), last_wanted = "2024-05-01T10:00:00Z" }
                end
                images[#images + 1] = {
                  image = opts.prefix .. "/app:1", seen_at = { "again" },
                  digest = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                }
                return images
              end,
            }
            """#
        let common = #"return { where = function(i) return "demo;" .. i end }"#
        try await withPlugins(["sources/demo.lua": source, "lib/common.lua": common]) { path, _ in
            let file = try #require(path.script(in: "sources", named: "demo")?.displayName)
            let plugin = try await SourcePlugin.load(file: file, pluginPath: path, log: quiet)
            #expect(plugin.name == "demo")
            #expect(plugin.version == "1.2")
            #expect(plugin.options.map(\.name) == ["count", "prefix"])
            let options = try plugin.resolveOptions(argument: "other.io:5000", settings: [("count", "3")])
            let images = try await SourceRunner.collect(plugin, options: options)
            #expect(
                images.map(\.reference.description) == [
                    "other.io:5000/app:1", "other.io:5000/app:2", "other.io:5000/app:3",
                    "other.io:5000/app:1@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                ])
            #expect(images[0].seenAt == ["demo;1"])
            #expect(images[0].lastWanted == Date(timeIntervalSince1970: 1_714_557_600))
            #expect(throws: ScriptingError.self) { try plugin.resolveOptions(argument: nil, settings: [("nope", "1")]) }
            #expect(throws: ScriptingError.self) { try plugin.resolveOptions(argument: nil, settings: [("count", "many")]) }
        }
    }

    @Test(
        "broken sources fail with one error naming the file or the source",
        arguments: [
            ("return 42", "must return evictor.source"),
            ("return evictor.source { name = 'x' }", "'collect' must be a function"),
            ("return evictor.source { name = 'x', collect = function() return { { image = 'BAD REF' } } end }", "entry 1: invalid image reference"),
            ("return evictor.source { name = 'x', collect = function() return 'nope' end }", "collect must return a list"),
            ("return evictor.source { name = 'x', collect = function() error('cluster unreachable') end }", "source x failed: "),
            ("return evictor.source { name = 'x', collect = function(o, host) return host.run({'ls'}) end }", "attempt to call a nil value"),
            (
                "return evictor.source { name = 'x', capabilities = { run = { 'true' } }, collect = function(o, host) host.run({'ls'}) end }",
                "'ls' was not declared"
            ),
            ("return evictor.source { name = 'x', capabilities = { shell = true }, collect = function() end }", "unknown capability 'shell'"),
            ("return evictor.source { name = 'x', collect = function() while true do end end }", "exceeded"),
            ("local x = = 1", "syntax error"),
        ])
    func broken(_ source: String, _ expected: String) async throws {
        try await withPlugins(["sources/x.lua": source]) { path, _ in
            let file = try #require(path.script(in: "sources", named: "x")?.displayName)
            var limits = SourcePlugin.defaultLimits
            limits.instructionsPerCall = 1_000_000
            do {
                let plugin = try await SourcePlugin.load(file: file, pluginPath: path, limits: limits, log: quiet)
                _ = try await SourceRunner.collect(plugin, options: try plugin.resolveOptions(argument: nil, settings: []))
                Issue.record("expected a failure containing \(expected)")
            } catch {
                let text = String(describing: error)
                #expect(text.contains(expected), "\(text)")
                #expect(!text.contains("\n"))
            }
        }
    }

    @Test("host.run runs argv without a shell, with a timeout")
    func runCapability() async throws {
        let source = #"""
            return evictor.source {
              name = "cmd", capabilities = { run = { "sh", "sleep" } },
              collect = function(opts, host)
                local r = host.run({ "sh", "-c", "echo out; echo err >&2; exit 3" })
                assert(r.code == 3 and r.stdout == "out\n" and r.stderr == "err\n", "run result")
                local literal = host.run({ "sh", "-c", "printf '%s' \"$1\"", "x", "a b; rm -rf /" })
                assert(literal.stdout == "a b; rm -rf /", "arguments are passed literally")
                local slow = host.run({ "sleep", "5" }, { timeout = 0.2 })
                assert(slow.timed_out == true, "timeout")
                return { { image = "reg.io/ok:1" } }
              end,
            }
            """#
        try await withPlugins(["sources/cmd.lua": source]) { path, _ in
            let plugin = try await SourcePlugin.load(script: try #require(path.script(in: "sources", named: "cmd")), pluginPath: path, log: quiet)
            let images = try await SourceRunner.collect(plugin, options: .table(LuaTable()))
            #expect(images.count == 1)
        }
    }
}
