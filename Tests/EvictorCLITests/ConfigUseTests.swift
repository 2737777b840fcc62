import EvictorTestSupport
import Foundation
import Testing

/// `--config FILE` on the commands that take a REGISTRY: a registry's name gives its URL,
/// credentials, single policy and safety; flags override the file; the password stays secret.
@Suite("--config: a registry's name in evictor.yaml")
struct ConfigUseTests {
    /// A config file in `work` with registry `main` at `url`, its credentials from USE_USER / USE_PASSWORD.
    static func writeConfig(in work: URL, url: String, policies: String, safety: String = "") throws -> String {
        let file = work.appendingPathComponent("evictor.yaml")
        try Data(
            """
            version: 1
            registries:
              - name: main
                url: \(url)
                credentials:
                  username_env: USE_USER
                  password_env: USE_PASSWORD
                concurrency: 4
                policies:
            \(policies)
              - name: other
                url: https://registry.example.com
            \(safety)
            """.utf8
        ).write(to: file)
        return file.path
    }

    @Test("ls, plan and a flag overriding the file against a registry with basic auth; the password appears nowhere")
    func againstRegistry() async throws {
        let password = "Cf9-\(UUID().uuidString.prefix(8))-secret"
        try await RegistryServer.withBasicAuth(user: "cora", password: password) { registry in
            let work = try EvictionTests.workDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            for day in 1...3 {
                _ = try layout.addImage(
                    tag: "v\(day)",
                    TestImageSpec(created: Date(timeIntervalSince1970: 1_700_000_000 + Double(day) * 86_400), layerSeed: "config-use-\(day)"))
                try await Skopeo.push(layout: layout, tag: "v\(day)", to: registry, repository: "shop/app", credentials: ("cora", password))
            }
            let policy = Fixtures.url("policies/keep-last.lua").path
            let config = try Self.writeConfig(
                in: work, url: registry.url,
                policies: "      - policy: \(policy)\n        options: {keep: 1}",
                safety: "safety:\n  max_delete_percent: 30")
            let environment = ["USE_USER": "cora", "USE_PASSWORD": password, "EVICTOR_VERBOSE": "1"]
            var outputs: [String] = []

            let listed = try await EvictorBinary.run(["ls", "--config", config, "main"], environment: environment)
            #expect(listed.status == 0, "\(listed.stderrText)")
            #expect(listed.stdoutText == "shop/app:v1\nshop/app:v2\nshop/app:v3\n")
            outputs += [listed.stdoutText, listed.stderrText]

            let wrong = try await EvictorBinary.run(
                ["ls", "--config", config, "main"], environment: ["USE_USER": "cora", "USE_PASSWORD": password + "x"])
            #expect(wrong.status == 2)
            #expect(wrong.stdoutText.isEmpty)
            #expect(wrong.stderrText.split(separator: "\n").count == 1, "\(wrong.stderrText)")
            outputs += [wrong.stdoutText, wrong.stderrText]

            let unset = try await EvictorBinary.run(["count", "--config", config, "main"], environment: ["USE_USER": "cora"])
            #expect(unset.status == 2)
            #expect(unset.stderrText.contains("USE_PASSWORD"), "\(unset.stderrText)")

            // The single policy (keep 1 of 3) deletes 67% of the tags: the file's 30% refuses it.
            let planFile = work.appendingPathComponent("plan.json").path
            let refused = try await EvictorBinary.run(["plan", "--config", config, "main", "-o", planFile], environment: environment)
            #expect(refused.status == 2)
            #expect(refused.stderrText.contains("30"), "\(refused.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: planFile))
            outputs += [refused.stdoutText, refused.stderrText]

            // A flag overrides the file.
            let planned = try await EvictorBinary.run(
                ["plan", "--config", config, "main", "--max-delete-percent", "100", "-o", planFile], environment: environment)
            #expect(planned.status == 0, "\(planned.stderrText)")
            #expect(planned.stdoutText.contains("delete 2 of 3 tags"), "\(planned.stdoutText)")
            let plan = try String(contentsOfFile: planFile, encoding: .utf8)
            #expect(plan.contains("keep-last"))
            outputs += [planned.stdoutText, planned.stderrText, plan]

            let dryRun = try await EvictorBinary.run(
                ["evict", "--config", config, "main", "--max-delete-percent", "100", "--policy-option", "keep=2"], environment: environment)
            #expect(dryRun.status == 0, "\(dryRun.stderrText)")
            #expect(dryRun.stdoutText.components(separatedBy: "would delete\t").count == 2, "\(dryRun.stdoutText)")
            outputs += [dryRun.stdoutText, dryRun.stderrText]

            // apply and restore find the registry by the plan's or journal's URL in --config.
            let journal = work.appendingPathComponent("journal.jsonl").path
            let anonymous = try await EvictorBinary.run(["apply", planFile, "--journal", journal], environment: environment)
            #expect(anonymous.status == 2, "\(anonymous.stderrText)")
            let applied = try await EvictorBinary.run(["apply", planFile, "--journal", journal, "--config", config], environment: environment)
            #expect(applied.status == 0, "\(applied.stdoutText)\(applied.stderrText)")
            let restored = try await EvictorBinary.run(["restore", "--journal", journal, "--config", config], environment: environment)
            #expect(restored.status == 0, "\(restored.stdoutText)\(restored.stderrText)")
            #expect(restored.stdoutText.contains("restored 2,"), "\(restored.stdoutText)")
            let elsewhere = try await EvictorBinary.run(
                ["restore", "--journal", journal, "--config", config, "--registry", "http://127.0.0.1:9"], environment: environment)
            #expect(elsewhere.status == 2)
            #expect(elsewhere.stderrText.contains("has no registry with url http://127.0.0.1:9"), "\(elsewhere.stderrText)")
            outputs += [anonymous.stderrText, applied.stdoutText, applied.stderrText, restored.stdoutText, elsewhere.stderrText]

            let basic = Data("cora:\(password)".utf8).base64EncodedString()
            for secret in [password, basic] {
                #expect(!outputs.contains { $0.contains(secret) }, "a secret (\(secret.count) characters) was found")
            }
        }
    }

    @Test("an unknown name lists the registries; options for several policies need --policy")
    func namesAndPolicies() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let config = try Self.writeConfig(
            in: work, url: "http://127.0.0.1:9", policies: "      - policy: untagged\n      - policy: age\n        options: {days: 30}")

        let unknown = try await EvictorBinary.run(["ls", "--config", config, "mian"])
        #expect(unknown.status == 2)
        #expect(unknown.stderrText.split(separator: "\n").count == 1, "\(unknown.stderrText)")
        #expect(unknown.stderrText.contains("no registry named \"mian\" (registries: main, other)"), "\(unknown.stderrText)")

        let several = try await EvictorBinary.run(["plan", "--config", config, "main", "--policy-option", "days=3"])
        #expect(several.status == 2)
        #expect(several.stderrText.contains("--policy-option needs --policy: the config file's registry has 2 policies"), "\(several.stderrText)")

        // EVICTOR_CONFIG is only consulted for a name, never for a host or URL.
        let named = try await EvictorBinary.run(["ls", "mian"], environment: ["EVICTOR_CONFIG": config])
        #expect(named.stderrText.contains("registries: main, other"), "\(named.stderrText)")
        let broken = work.appendingPathComponent("missing.yaml").path
        let host = try await EvictorBinary.run(["ls", "http://127.0.0.1:9"], environment: ["EVICTOR_CONFIG": broken])
        #expect(!host.stderrText.contains("missing.yaml"), "\(host.stderrText)")
    }
}
