import EvictorTestSupport
import Foundation
import Testing

/// `evictor config check` through the built binary: the resolved file with secrets masked,
/// one error line and exit 2 for a bad file, and the shipped example.
@Suite("evictor config check")
struct ConfigCommandTests {
    static func work() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a good file: exit 0, resolved, the secret from the environment never printed")
    func goodFile() async throws {
        let work = try Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("evictor.yaml")
        try Data(
            """
            version: 1
            registries:
              - name: main
                url: ${REGISTRY_URL:-http://127.0.0.1:5000}
                credentials: {username: ci, password: "${CI_REGISTRY_PASSWORD}"}
                policies:
                  - policy: untagged
                  - policy: age
                    options: {days: 30, repositories: "^${HOOK_TOKEN}"}
            schedules:
              - {job: run, registry: main, cron: "0 4 * * *", delete: true}
            """.utf8
        ).write(to: file)
        let password = "pw-\(UUID().uuidString)"
        let token = "tok-\(UUID().uuidString)"
        let environment = ["CI_REGISTRY_PASSWORD": password, "HOOK_TOKEN": token]
        for output in ["yaml", "json"] {
            let result = try await EvictorBinary.run(["config", "check", "--config", file.path, "--output", output], environment: environment)
            #expect(result.status == 0, "\(result.stderrText)")
            for secret in [password, token] {
                #expect(!result.stdoutText.contains(secret))
                #expect(!result.stderrText.contains(secret))
            }
            #expect(result.stdoutText.contains("http://127.0.0.1:5000"))
            #expect(result.stdoutText.contains("***"))
            #expect(result.stdoutText.contains("0 4 * * *"))
        }
        // EVICTOR_CONFIG names the default file; without it, ./evictor.yaml.
        let named = try await EvictorBinary.run(["config", "check"], environment: environment.merging(["EVICTOR_CONFIG": file.path]) { $1 })
        #expect(named.status == 0, "\(named.stderrText)")
        let local = try await EvictorBinary.run(
            ["config", "check"], environment: environment.merging(["EVICTOR_CONFIG": ""]) { $1 }, currentDirectory: work)
        #expect(local.status == 0, "\(local.stderrText)")
        #expect(!local.stdoutText.contains(password))
    }

    @Test("a bad file: exit 2, one Error: line naming the file and the key path")
    func badFile() async throws {
        let work = try Self.work()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("bad.yaml")
        try Data(
            "version: 1\nregistries:\n  - name: a\n    url: http://127.0.0.1:5000\n    policies:\n      - policy: age\n        optoins: {}\n".utf8
        )
        .write(to: file)
        let result = try await EvictorBinary.run(["config", "check", "--config", file.path])
        #expect(result.status == 2)
        #expect(result.stdoutText.isEmpty)
        let lines = result.stderrText.split(separator: "\n")
        #expect(lines == ["Error: \(file.path): registries[0].policies[0].optoins: unknown key"])

        // Policies are loaded and their options checked, as a run would: the issue's own example.
        for (policy, path, says) in [
            ("keep-last\n        options: {keep: five}", "registries[0].policies[1].options", "expected an integer, got \"five\""),
            ("keep-lats", "registries[0].policies[1].policy", "no policy named 'keep-lats'"),
            (
                "keep-last\n        options: {include: \"(unclosed\"}", "registries[0].policies[1].options",
                "option 'include': invalid regular expression"
            ),
        ] {
            try Data(
                ("version: 1\nregistries:\n  - name: a\n    url: http://127.0.0.1:5000\n    policies:\n"
                    + "      - policy: age\n      - policy: \(policy)\n").utf8
            ).write(to: file)
            let refused = try await EvictorBinary.run(["config", "check", "--config", file.path])
            #expect(refused.status == 2 && refused.stdoutText.isEmpty)
            let refusal = refused.stderrText.split(separator: "\n")
            #expect(refusal.count == 1 && refusal[0].hasPrefix("Error: \(file.path): \(path): ") && refusal[0].contains(says), "\(refusal)")
        }

        let missing = try await EvictorBinary.run(["config", "check", "--config", work.appendingPathComponent("none.yaml").path])
        #expect(missing.status == 2)
        #expect(missing.stderrText.split(separator: "\n").count == 1)
    }

    @Test("the example in deploy/evictor.yaml (the README's) is valid")
    func shippedExample() async throws {
        let example = Fixtures.url("deploy/evictor.yaml").path
        let result = try await EvictorBinary.run(["config", "check", "--config", example], environment: ["REGISTRY_PASSWORD": "example-secret"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.contains("name: \"main\""))
        #expect(!result.stdoutText.contains("example-secret"))
        let readme = try String(contentsOf: Fixtures.url("README.md"), encoding: .utf8)
        let shipped = try String(contentsOfFile: example, encoding: .utf8)
        #expect(readme.contains(shipped.trimmingCharacters(in: .whitespacesAndNewlines)), "README's example differs from deploy/evictor.yaml")
    }
}
