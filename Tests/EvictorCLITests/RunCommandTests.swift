import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// `evictor run` against a real registry with basic auth, images pushed by skopeo: a static
/// and a compose source, the in-use and untagged policies combined, the storage root.
@Suite("evictor run: the whole unattended job")
struct RunCommandTests {
    /// What the acceptance scenario seeded, to check the registry against.
    struct Seeded {
        var untagged: Digest
        var work: URL
        var config: String
        var state: URL
        var environment: [String: String]
        var password: String
    }

    /// shop/app v1-v5 (v3 pinned by the static list, v5 by compose), tools/cli t1 (in use) with
    /// an older push of t1 left untagged, old/unused a and b (in use nowhere).
    static func seed(_ registry: RegistryServer, password: String, safety: String = "  max_delete_percent: 80\n  min_inventory: 2")
        async throws -> Seeded
    {
        let layout = try OCILayoutBuilder.temporary()
        defer { layout.remove() }
        let credentials = ("run", password)
        for day in 1...5 {
            _ = try layout.addImage(tag: "v\(day)", EvictionTests.image("run-app-\(day)", day: Double(day)))
            try await Skopeo.push(layout: layout, tag: "v\(day)", to: registry, repository: "shop/app", credentials: credentials)
        }
        let first = try layout.addImage(tag: "t1", EvictionTests.image("run-cli-old", day: 1))
        try await Skopeo.push(layout: layout, tag: "t1", to: registry, repository: "tools/cli", credentials: credentials)
        _ = try layout.addImage(tag: "t1", EvictionTests.image("run-cli-new", day: 2))
        try await Skopeo.push(layout: layout, tag: "t1", to: registry, repository: "tools/cli", credentials: credentials)
        for (index, tag) in ["a", "b"].enumerated() {
            _ = try layout.addImage(tag: tag, EvictionTests.image("run-old-\(tag)", day: Double(index)))
            try await Skopeo.push(layout: layout, tag: tag, to: registry, repository: "old/unused", credentials: credentials)
        }

        let work = try EvictionTests.workDirectory()
        try "\(registry.hostPort)/shop/app:v3\n\(registry.hostPort)/tools/cli:t1\n".write(
            to: work.appendingPathComponent("pinned.txt"), atomically: true, encoding: .utf8)
        try "services:\n  web:\n    image: \(registry.hostPort)/shop/app:v5\n".write(
            to: work.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        let state = work.appendingPathComponent("state")
        let config = work.appendingPathComponent("evictor.yaml")
        try """
        version: 1
        registries:
          - name: main
            url: ${RUN_REGISTRY}
            credentials:
              username: run
              password: ${RUN_PASSWORD}
            concurrency: 4
            policies:
              - policy: in-use
                options: {keep_newest: 1, keep_before: 0}
              - policy: untagged
                repositories: "^tools/"
            storage:
              root: \(registry.storageRoot.path)
        inventory:
          sources:
            - name: static
              argument: \(work.path)/pinned.txt
            - name: compose
              options:
                files: ["\(work.path)/docker-compose.yml"]
          file: \(work.path)/images.json
        safety:
        \(safety)
        state:
          directory: \(state.path)
          keep: 3
        """.write(to: config, atomically: true, encoding: .utf8)
        return Seeded(
            untagged: try Digest(parsing: first.digest), work: work, config: config.path, state: state,
            environment: ["RUN_REGISTRY": registry.url, "RUN_PASSWORD": password], password: password)
    }

    /// Every file under `directory`, as text.
    static func contents(of directory: URL) -> [String: String] {
        var texts: [String: String] = [:]
        let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            if let data = try? Data(contentsOf: url) { texts[url.path] = String(decoding: data, as: UTF8.self) }
        }
        return texts
    }

    static func records(_ state: URL) throws -> [[String: Any]] {
        let directory = state.appendingPathComponent("runs")
        // In the order written (two runs in one second are STAMP.json and STAMP-002.json).
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey])
        let dated = try files.map { ($0, try $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate ?? .distantPast) }
        return try dated.sorted { $0.1 < $1.1 }.map { url, _ in
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
    }

    /// The (repository, digest) pairs a plan file deletes.
    static func actions(inPlan path: String) throws -> Set<String> {
        let plan = try PlanFile.read(path)
        return Set(plan.actions.map { "\($0.repository)@\($0.digest)" })
    }

    @Test("dry run changes nothing; --delete leaves exactly what the two policies leave combined; figures match; the secret appears nowhere")
    func acceptance() async throws {
        let password = "Run-\(UUID().uuidString.prefix(8))-secret"
        try await RegistryServer.withBasicAuth(user: "run", password: password) { registry in
            let seeded = try await Self.seed(registry, password: password)
            defer { try? FileManager.default.removeItem(at: seeded.work) }
            let before = try await Self.tagsWithAuth(registry, password: password)
            var outputs: [String] = []

            let dry = try await EvictorBinary.run(["run", "--config", seeded.config], environment: seeded.environment)
            outputs += [dry.stdoutText, dry.stderrText]
            #expect(dry.status == 0, "\(dry.stdoutText)\(dry.stderrText)")
            #expect(dry.stdoutText.contains("dry run: nothing deleted"), "\(dry.stdoutText)")
            #expect(dry.stdoutText.contains("plan: delete 5 of 8 tags"), "\(dry.stdoutText)")
            #expect(dry.stdoutText.contains("old/unused@"), "\(dry.stdoutText)")
            #expect(dry.stdoutText.contains("tools/cli@\(seeded.untagged)"), "\(dry.stdoutText)")
            #expect(try await Self.tagsWithAuth(registry, password: password) == before)
            #expect(await Skopeo.canInspectWithAuth(registry, "tools/cli@\(seeded.untagged)", password: password))

            // The run's plan is what each policy's own plan deletes, together (they judge disjoint items).
            let dryRecord = try #require(try Self.records(seeded.state).last)
            let dryPart = try #require((dryRecord["registries"] as? [[String: Any]])?.first)
            let runPlan = try #require((dryPart["plan"] as? [String: Any])?["plan"] as? String)
            var separately: Set<String> = []
            for policy in [
                ["--policy", "in-use", "--policy-option", "keep_newest=1", "--policy-option", "keep_before=0"],
                ["--policy", "untagged", "-r", "tools/cli"],
            ] {
                let planFile = seeded.work.appendingPathComponent("plan-\(policy[1]).json").path
                let planned = try await EvictorBinary.run(
                    ["plan", "--config", seeded.config, "main", "-o", planFile] + policy, environment: seeded.environment)
                outputs += [planned.stdoutText, planned.stderrText]
                #expect(planned.status == 0, "\(planned.stderrText)")
                separately.formUnion(try Self.actions(inPlan: planFile))
            }
            #expect(try Self.actions(inPlan: runPlan) == separately)
            #expect(separately.count == 6)  // 5 tags on 5 manifests, and the untagged one

            let real = try await EvictorBinary.run(["run", "--config", seeded.config, "--delete"], environment: seeded.environment)
            outputs += [real.stdoutText, real.stderrText]
            #expect(real.status == 0, "\(real.stdoutText)\(real.stderrText)")
            let after = try await Self.tagsWithAuth(registry, password: password)
            #expect(after == ["shop/app": ["v3", "v5"], "tools/cli": ["t1"]])
            #expect(!(await Skopeo.canInspectWithAuth(registry, "tools/cli@\(seeded.untagged)", password: password)))

            let record = try #require(try Self.records(seeded.state).last)
            #expect(record["format"] as? String == "evictor-run")
            #expect(record["exit_code"] as? Int == 0)
            #expect(record["delete"] as? Bool == true)
            let part = try #require((record["registries"] as? [[String: Any]])?.first)
            let plan = try #require(part["plan"] as? [String: Any])
            let apply = try #require(part["apply"] as? [String: Any])
            let check = try #require(part["check"] as? [String: Any])
            #expect(plan["tags_total"] as? Int == before.values.reduce(0) { $0 + $1.count })
            #expect(apply["tags_deleted"] as? Int == before.values.reduce(0) { $0 + $1.count } - after.values.reduce(0) { $0 + $1.count })
            #expect(apply["deleted"] as? Int == 6)
            #expect(apply["failed"] as? Int == 0)
            #expect(check["tags_checked"] as? Int == 8)
            #expect((record["inventory"] as? [String: Any])?["images"] as? Int == 3)
            let journal = try #require(apply["journal"] as? String)
            #expect(FileManager.default.fileExists(atPath: journal))

            // Nothing left to delete; --output json prints the record (the same as runs/).
            let json = try await EvictorBinary.run(["run", "--config", seeded.config, "--output", "json"], environment: seeded.environment)
            outputs += [json.stdoutText, json.stderrText]
            #expect(json.status == 0, "\(json.stderrText)")
            let printed = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
            #expect(printed["format"] as? String == "evictor-run" && printed["delete"] as? Bool == false)
            let printedPart = try #require((printed["registries"] as? [[String: Any]])?.first)
            #expect((printedPart["plan"] as? [String: Any])?["tags_planned"] as? Int == 0)
            #expect(printed["id"] as? String == (try Self.records(seeded.state).last)?["id"] as? String)

            let basic = Data("run:\(password)".utf8).base64EncodedString()
            let files = Self.contents(of: seeded.work)
            for secret in [password, basic] {
                #expect(!outputs.contains { $0.contains(secret) }, "the secret is in an output")
                #expect(!files.contains { $0.value.contains(secret) }, "the secret is in a file")
            }
        }
    }

    @Test("bad configs, a broken policy, a down registry, a stale inventory: one line, exit 2, nothing deleted")
    func refusals() async throws {
        let password = "Bad-\(UUID().uuidString.prefix(8))-secret"
        try await RegistryServer.withBasicAuth(user: "run", password: password) { registry in
            let seeded = try await Self.seed(registry, password: password, safety: "  max_delete_percent: 100\n  min_inventory: 2")
            defer { try? FileManager.default.removeItem(at: seeded.work) }
            let before = try await Self.tagsWithAuth(registry, password: password)
            let original = try String(contentsOfFile: seeded.config, encoding: .utf8)

            func run(_ change: (String) -> String, environment: [String: String]? = nil) async throws -> ProcessResult {
                let changed = change(original)
                #expect(changed != original, "the change did not apply")
                try changed.write(toFile: seeded.config, atomically: true, encoding: .utf8)
                return try await EvictorBinary.run(["run", "--config", seeded.config, "--delete"], environment: environment ?? seeded.environment)
            }
            let cases: [(String, (String) -> String, [String: String]?, String)] = [
                (
                    "unknown key", { $0.replacingOccurrences(of: "    concurrency: 4", with: "    concurency: 4") }, nil,
                    "registries[0].concurency: unknown key"
                ),
                ("wrong type", { $0.replacingOccurrences(of: "keep: 3", with: "keep: three") }, nil, "state.keep: expected"),
                ("missing variable", { $0 }, ["RUN_REGISTRY": registry.url], "RUN_PASSWORD"),
                (
                    "unreadable policy", { $0.replacingOccurrences(of: "- policy: untagged", with: "- policy: \(seeded.work.path)/missing.lua") },
                    nil,
                    "missing.lua"
                ),
                ("down registry", { $0 }, ["RUN_REGISTRY": "http://127.0.0.1:9", "RUN_PASSWORD": password], "registry main"),
                (
                    "stale inventory",
                    { text in
                        let start = text.range(of: "inventory:\n")!.lowerBound
                        let end = text.range(of: "safety:")!.lowerBound
                        return text.replacingCharacters(in: start..<end, with: "inventory:\n  file: \(seeded.work.path)/images.json\n  max_age: 1h\n")
                    },
                    nil, "inventory"
                ),
            ]
            for (name, change, environment, culprit) in cases {
                if name == "stale inventory" {
                    // One from yesterday (earlier cases collected a fresh one), and no sources to collect it again.
                    var inventory = Inventory(generatedAt: Date().addingTimeInterval(-86_400))
                    inventory.add([
                        InventoryImage(
                            reference: try ImageReference(parsing: "\(registry.hostPort)/shop/app:v1"), seenAt: ["static"], sources: ["static"])
                    ])
                    try InventoryFile.write(inventory, to: seeded.work.appendingPathComponent("images.json").path)
                }
                let result: ProcessResult
                if name == "missing variable" || name == "down registry" {
                    try original.write(toFile: seeded.config, atomically: true, encoding: .utf8)
                    result = try await EvictorBinary.run(["run", "--config", seeded.config, "--delete"], environment: environment ?? [:])
                } else {
                    result = try await run(change, environment: environment)
                }
                #expect(result.status == 2, "\(name): \(result.status) \(result.stderrText)")
                let lines = result.stderrText.split(separator: "\n")
                #expect(lines.count == 1, "\(name): \(result.stderrText)")
                #expect(result.stderrText.contains("Error: ") && result.stderrText.contains(culprit), "\(name): \(result.stderrText)")
                #expect(!result.stderrText.contains(password) && !result.stdoutText.contains(password))
            }
            #expect(try await Self.tagsWithAuth(registry, password: password) == before)
            // The stale inventory's run left a record saying why.
            let stale = try #require(try Self.records(seeded.state).last)
            #expect(stale["outcome"] as? String == "could_not_run")
            #expect((stale["error"] as? String)?.contains("max_age 1h") == true, "\(stale)")
        }
    }

    @Test("a second run on a state directory in use is refused")
    func busyStateDirectory() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let config = work.appendingPathComponent("evictor.yaml")
        try "version: 1\nregistries:\n  - name: main\n    url: http://127.0.0.1:9\nstate:\n  directory: \(work.path)/state\n".write(
            to: config, atomically: true, encoding: .utf8)
        // What a first run holds while it works: the lock on state/.lock.
        try FileManager.default.createDirectory(atPath: "\(work.path)/state", withIntermediateDirectories: true)
        let lock = open("\(work.path)/state/.lock", O_RDWR | O_CREAT, 0o600)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        let second = try await EvictorBinary.run(["run", "--config", config.path])
        #expect(second.status == 2)
        #expect(second.stderrText.contains("in use by another evictor run"), "\(second.stderrText)")
    }

    /// `evictor ls` with the test's credentials: tags per repository.
    static func tagsWithAuth(_ registry: RegistryServer, password: String) async throws -> [String: Set<String>] {
        let result = try await EvictorBinary.run(["ls", registry.url], environment: ["EVICTOR_USERNAME": "run", "EVICTOR_PASSWORD": password])
        #expect(result.status == 0, "\(result.stderrText)")
        var tags: [String: Set<String>] = [:]
        for line in result.stdoutText.split(separator: "\n") {
            guard let colon = line.lastIndex(of: ":") else { continue }
            tags[String(line[..<colon]), default: []].insert(String(line[line.index(after: colon)...]))
        }
        return tags
    }
}

extension Skopeo {
    static func canInspectWithAuth(_ registry: RegistryServer, _ reference: String, password: String) async -> Bool {
        (try? await inspectRaw(registry, reference, credentials: ("run", password))) != nil
    }
}
