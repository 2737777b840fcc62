import EvictorTestSupport
import Foundation
import Testing

/// The built-in plugins travel with the binary: a copy with no files beside it, run from
/// elsewhere, lists and uses them, and a plugin directory overrides them.
@Suite("evictor carries its built-in plugins")
struct BuiltInPluginsCommandTests {
    /// A temporary directory holding a copy of the built binary (nothing else), and another,
    /// empty one to run it from.
    struct CopiedBinary {
        let root: URL
        var binary: String { root.appendingPathComponent("bin/evictor").path }
        var workingDirectory: URL { root.appendingPathComponent("elsewhere") }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-copied-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: root.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: try EvictorBinary.path, toPath: root.appendingPathComponent("bin/evictor").path)
        }

        /// Runs the copy in `workingDirectory` with no `EVICTOR_PLUGIN_PATH` (unless given).
        func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> ProcessResult {
            var environment = ProcessInfo.processInfo.environment
            environment["EVICTOR_PLUGIN_PATH"] = nil
            for (key, value) in extra { environment[key] = value }
            return try await ProcessRunner.run(
                "/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", workingDirectory.path, binary] + arguments, environment: environment)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    /// `plugins list --output json` as name -> entry.
    static func entries(_ result: ProcessResult) throws -> [String: [String: Any]] {
        let list = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]], "\(result.stdoutText)")
        return Dictionary(list.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("a copied binary run from another directory lists sources, fixers, policies and lib as built-in and uses them")
    func copiedBinary() async throws {
        let copy = try CopiedBinary()
        defer { copy.remove() }
        let json = try await copy.run(["plugins", "list", "--output", "json"])
        #expect(json.status == 0, "\(json.stderrText)")
        let entries = try Self.entries(json)
        for (name, kind) in [
            ("k8s", "source"), ("compose", "source"), ("static", "source"), ("broken-tags", "fixer"), ("stale-uploads", "fixer"),
            ("in-use", "policy"), ("keep-last", "policy"), ("untagged", "policy"), ("age", "policy"), ("lib.retention", "lib"),
        ] {
            #expect(entries[name]?["kind"] as? String == kind, "\(name)")
            #expect(entries[name]?["origin"] as? String == "built-in", "\(name)")
            #expect(entries[name]?["error"] == nil, "\(name): \(entries[name]?["error"] ?? "")")
        }
        let text = try await copy.run(["plugins", "list"])
        #expect(text.status == 0)
        #expect(
            text.stdoutText.split(separator: "\n").contains { $0.hasPrefix("in-use ") && $0.contains("policy") && $0.hasSuffix("(built-in)") },
            "\(text.stdoutText)")

        let check = try await copy.run(["policy", "check", "in-use"])
        #expect(check.status == 0, "\(check.stderrText)")
        #expect(check.stdoutText.contains("built-in:policies/in-use.lua"))
        #expect(check.stdoutText.contains("policy ok"))

        try "reg.io/shop/web:1.0\n".write(to: copy.workingDirectory.appendingPathComponent("keep.txt"), atomically: true, encoding: .utf8)
        let inventory = try await copy.run(["inventory", "--source", "static:keep.txt", "-o", "images.json"])
        #expect(inventory.status == 0, "\(inventory.stderrText)")
        #expect(FileManager.default.fileExists(atPath: copy.workingDirectory.appendingPathComponent("images.json").path))
    }

    @Test("a --plugin-path directory's sources/static.lua and lib/retention.lua override the built-ins, are used and reported")
    func overrides() async throws {
        let copy = try CopiedBinary()
        defer { copy.remove() }
        let plugins = copy.root.appendingPathComponent("team-plugins")
        try FileManager.default.createDirectory(at: plugins.appendingPathComponent("sources"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: plugins.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try """
        return evictor.source { name = "static", version = "9.9", description = "the team's static",
          collect = function() return { { image = "reg.io/team/override:1" } } end }
        """.write(to: plugins.appendingPathComponent("sources/static.lua"), atomically: true, encoding: .utf8)
        // The built-in policies require lib.retention: an override without keep_newest breaks them visibly.
        try "-- retention: the team's own\nreturn { team = true }\n".write(
            to: plugins.appendingPathComponent("lib/retention.lua"), atomically: true, encoding: .utf8)

        let list = try await copy.run(["plugins", "list", "--output", "json", "--plugin-path", plugins.path])
        #expect(list.status == 0, "\(list.stderrText)")
        let entries = try Self.entries(list)
        #expect(entries["static"]?["origin"] as? String == plugins.appendingPathComponent("sources/static.lua").path)
        #expect(entries["static"]?["version"] as? String == "9.9")
        #expect(entries["lib.retention"]?["origin"] as? String == plugins.appendingPathComponent("lib/retention.lua").path)
        #expect(entries["compose"]?["origin"] as? String == "built-in")

        let inventory = try await copy.run(
            ["inventory", "--source", "static", "-o", "images.json"], environment: ["EVICTOR_PLUGIN_PATH": plugins.path])
        #expect(inventory.status == 0, "\(inventory.stderrText)")
        let written = try String(contentsOf: copy.workingDirectory.appendingPathComponent("images.json"), encoding: .utf8)
        #expect(written.contains("reg.io/team/override:1"))

        // The built-in in-use policy now gets the directory's lib.retention.
        let check = try await copy.run(["policy", "check", "in-use", "--plugin-path", plugins.path])
        #expect(check.status != 0)
        #expect(check.stderrText.contains("built-in:policies/in-use.lua"), "\(check.stderrText)")
    }

    @Test("not found: a source, fixer or policy names what was searched and --plugin-path / EVICTOR_PLUGIN_PATH, on one line")
    func notFound() async throws {
        let copy = try CopiedBinary()
        defer { copy.remove() }
        let store = copy.root.appendingPathComponent("store/docker/registry/v2/repositories")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        let extra = copy.root.appendingPathComponent("extra").path
        let runs: [[String]] = [
            ["inventory", "--source", "nosuch", "-o", "never.json", "--plugin-path", extra],
            [
                "storage", "fix", "--root", copy.root.appendingPathComponent("store").path, "--quarantine",
                copy.root.appendingPathComponent("q").path, "--fixer", "nosuch", "--plugin-path", extra,
            ],
            ["policy", "check", "nosuch", "--plugin-path", extra],
            ["plan", "http://127.0.0.1:9", "--policy", "nosuch", "--plugin-path", extra],
        ]
        for arguments in runs {
            let result = try await copy.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            let lines = result.stderrText.split(separator: "\n")
            #expect(lines.count == 1, "\(arguments): \(result.stderrText)")
            #expect(result.stderrText.contains("named 'nosuch' (searched \(extra), built-in)"), "\(arguments): \(result.stderrText)")
            #expect(
                result.stderrText.contains("--plugin-path") && result.stderrText.contains("EVICTOR_PLUGIN_PATH"), "\(arguments): \(result.stderrText)"
            )
        }
    }
}
