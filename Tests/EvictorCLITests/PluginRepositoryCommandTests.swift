import EvictorTestSupport
import Foundation
import Testing

/// A team's plugin repository from `plugins new` to `evictor plan` from the CLI and the config.
@Suite("plugin repositories from the command line")
struct PluginRepositoryCommandTests {
    static func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// A policy of repository `owner` that deletes `tmp-*` tags, saying which repository's
    /// `teams` module decided (both repositories have one of that name).
    static func policy(_ name: String, owner: String) -> String {
        """
        local teams = require("\(owner).teams")
        return evictor.policy { name = "\(name)", description = "temporary tags go (\(owner))", decide = function(repo)
          for _, tag in ipairs(repo.tags) do
            if tag.name:match("^tmp%-") then tag:delete("temporary, says " .. teams.owner) else tag:keep("kept, says " .. teams.owner) end
          end
        end }
        """
    }

    static func policyTest(_ name: String) -> String {
        """
        return evictor.policy_test { policy = "\(name).lua", cases = {
          { name = "tmp tags go", repository = { name = "a/b", tags = { { name = "v1" }, { name = "tmp-1" } }, untagged = {} },
            expect = { keep = { "v1" }, delete = { "tmp-1" } } },
        } }
        """
    }

    @Test(
        "a repository made with plugins new is listed, tested, used by name from the CLI and the config; two lib modules of one name do not collide"
    )
    func teamRepository() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let acme = work.appendingPathComponent("acme")
        let beta = work.appendingPathComponent("beta")
        for (kind, name) in [("policy", "keep-newest"), ("source", "listfile"), ("fixer", "broken-links")] {
            let made = try await EvictorBinary.run(["plugins", "new", kind, name, "--in", acme.path])
            #expect(made.status == 0, "\(made.stderrText)")
        }
        #expect(FileManager.default.fileExists(atPath: acme.appendingPathComponent(".luarc.json").path))
        #expect(FileManager.default.fileExists(atPath: acme.appendingPathComponent("types/evictor.d.lua").path))
        try Self.write("name: acme\nversion: 1.0.0\napi: 1\n", acme.appendingPathComponent("evictor-plugins.yaml"))
        try Self.write("return { owner = \"acme\" }\n", acme.appendingPathComponent("lib/teams.lua"))
        try Self.write(Self.policy("by-team", owner: "acme"), acme.appendingPathComponent("policies/by-team.lua"))
        try Self.write(Self.policyTest("by-team"), acme.appendingPathComponent("policies/by-team_test.lua"))
        try Self.write("name: beta\n", beta.appendingPathComponent("evictor-plugins.yaml"))
        try Self.write("return { owner = \"beta\" }\n", beta.appendingPathComponent("lib/teams.lua"))
        try Self.write(Self.policy("beta-tmp", owner: "beta"), beta.appendingPathComponent("policies/beta-tmp.lua"))
        let path = ["--plugin-path", acme.path, "--plugin-path", beta.path]

        let listed = try await EvictorBinary.run(["plugins", "list"] + path)
        #expect(listed.status == 0, "\(listed.stderrText)")
        for name in ["keep-newest", "by-team", "listfile", "beta-tmp"] { #expect(listed.stdoutText.contains(name), "\(name): \(listed.stdoutText)") }
        #expect(!listed.stdoutText.contains("ERROR"), "\(listed.stdoutText)")

        let tested = try await EvictorBinary.run(["plugins", "test", acme.path])
        #expect(tested.status == 0, "\(tested.stdoutText)\(tested.stderrText)")
        #expect(tested.stdoutText.contains("8 passed, 0 failed"), "\(tested.stdoutText)")
        try Self.write(
            Self.policyTest("by-team").replacingOccurrences(of: "delete = { \"tmp-1\" }", with: "delete = {}"),
            acme.appendingPathComponent("policies/by-team_test.lua"))
        let failing = try await EvictorBinary.run(["plugins", "test", acme.path])
        #expect(failing.status == 1 && failing.stdoutText.contains("FAIL"), "\(failing.stdoutText)")

        let root = work.appendingPathComponent("store")
        let seeder = StorageSeeder(root: root)
        for tag in ["v1", "v2", "tmp-1"] {
            try seeder.image(
                repository: "team/app", tags: [tag], spec: TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000), layerSeed: tag))
        }
        var options = RegistryOptions()
        options.storageRoot = root
        try await RegistryServer.with(options) { registry in
            for (policy, owner) in [("by-team", "acme"), ("beta-tmp", "beta")] {
                let plan = work.appendingPathComponent("\(policy).json").path
                let made = try await EvictorBinary.run(["plan", registry.url, "--policy", policy, "-o", plan] + path)
                #expect(made.status == 0, "\(made.stderrText)")
                let text = (try? String(contentsOfFile: plan, encoding: .utf8)) ?? ""
                #expect(text.contains("temporary, says \(owner)"), "\(policy) decided with \(owner)'s module: \(text.prefix(400))")
            }
            let config = work.appendingPathComponent("evictor.yaml")
            try Self.write(
                """
                version: 1
                plugins:
                  path: [acme, beta]
                registries:
                  - name: main
                    url: \(registry.url)
                    policies:
                      - policy: by-team
                        options: {}
                """, config)
            let checked = try await EvictorBinary.run(["config", "check", "--config", config.path])
            #expect(checked.status == 0 && checked.stdoutText.contains(acme.path), "\(checked.stdoutText)\(checked.stderrText)")
            let plan = work.appendingPathComponent("from-config.json").path
            let fromConfig = try await EvictorBinary.run(["plan", "main", "--config", config.path, "-o", plan])
            #expect(fromConfig.status == 0, "\(fromConfig.stderrText)")
            #expect(((try? String(contentsOfFile: plan, encoding: .utf8)) ?? "").contains("temporary, says acme"))
            let shown = try await EvictorBinary.run(["plugins", "show", "by-team"] + path)
            #expect(
                shown.stdoutText.contains("policy by-team") && shown.stdoutText.contains("example: evictor plan REGISTRY --policy by-team"),
                "\(shown.stdoutText)")
        }
    }
}
