import EvictorTestSupport
import Foundation
import Testing

@Suite("evictor inventory and evictor plugins list")
struct InventoryCommandTests {
    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-inv-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("sources are merged into a versioned images.json")
    func merges() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "reg.io/shop/web:1.0\nreg.io/tools/debug:latest\n".write(
            to: directory.appendingPathComponent("keep.txt"), atomically: true, encoding: .utf8)
        try "services:\n  web:\n    image: reg.io/shop/web:1.0\n  api:\n    image: reg.io/shop/api:${TAG:-2}\n".write(
            to: directory.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("images.json").path
        let result = try await EvictorBinary.run([
            "inventory", "--source", "static:\(directory.path)/keep.txt", "--source", "compose:\(directory.path)/docker-compose.yml", "-o", output,
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderrText.contains("3 images"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output))) as? [String: Any])
        #expect(document["format"] as? String == "evictor-inventory")
        #expect(document["version"] as? Int == 1)
        let images = try #require(document["images"] as? [[String: Any]])
        #expect(images.compactMap { $0["reference"] as? String } == ["reg.io/shop/api:2", "reg.io/shop/web:1.0", "reg.io/tools/debug:latest"])
        let web = try #require(images.first { $0["reference"] as? String == "reg.io/shop/web:1.0" })
        #expect((web["sources"] as? [String]) == ["compose", "static"])
    }

    @Test("a failing source exits non-zero naming it and leaves the previous images.json byte-identical")
    func failureKeepsOldFile() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("images.json")
        let previous = Data("{\"previous\": true}\n".utf8)
        try previous.write(to: output)
        try "reg.io/a:1\n".write(to: directory.appendingPathComponent("keep.txt"), atomically: true, encoding: .utf8)
        let result = try await EvictorBinary.run([
            "inventory", "--source", "static:\(directory.path)/keep.txt", "--source", "static:\(directory.path)/missing.txt", "-o", output.path,
        ])
        #expect(result.status != 0)
        #expect(result.stderrText.contains("source static failed"))
        #expect(result.stderrText.split(separator: "\n").count == 1, "\(result.stderrText)")
        #expect(try Data(contentsOf: output) == previous)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["images.json", "keep.txt"])

        let compose = try await EvictorBinary.run([
            "inventory", "--source", "compose:\(directory.path)/none.yml", "--source", "static:\(directory.path)/keep.txt", "--allow-partial",
            "compose", "-o", output.path,
        ])
        #expect(compose.status == 0, "\(compose.stderrText)")
        #expect(compose.stderrText.contains("allowed by --allow-partial compose"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let sources = try #require(document["sources"] as? [[String: Any]])
        #expect(sources.contains { $0["name"] as? String == "compose" && $0["failure"] != nil })
    }

    @Test("bad arguments are one clear error")
    func badArguments() async throws {
        let unknown = try await EvictorBinary.run(["inventory", "--source", "nosuch", "-o", "/tmp/never.json"])
        #expect(unknown.status != 0)
        #expect(unknown.stderrText.contains("no source named 'nosuch'"))
        let badOption = try await EvictorBinary.run(["inventory", "--source", "static:/x", "--option", "static.colour=blue", "-o", "/tmp/never.json"])
        #expect(badOption.stderrText.contains("source static has no option 'colour'"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never.json"))
    }

    @Test("plugins list shows the bundled and the extra plugins; a broken plugin is flagged, not fatal")
    func pluginsList() async throws {
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("sources"), withIntermediateDirectories: true)
        try "return evictor.source { name = 'team', version = '0.1', description = 'our CMDB', collect = function() return {} end }".write(
            to: directory.appendingPathComponent("sources/team.lua"), atomically: true, encoding: .utf8)
        try "return 1 +".write(to: directory.appendingPathComponent("sources/broken.lua"), atomically: true, encoding: .utf8)
        let result = try await EvictorBinary.run(["plugins", "list", "--output", "json"], environment: ["EVICTOR_PLUGIN_PATH": directory.path])
        #expect(result.status == 0, "\(result.stderrText)")
        let entries = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]])
        let names = entries.compactMap { $0["name"] as? String }
        #expect(names.contains("team"))
        #expect(names.contains("static"))
        #expect(names.contains("compose"))
        #expect(entries.first { $0["name"] as? String == "broken" }?["error"] != nil)
        #expect(entries.first { $0["name"] as? String == "team" }?["version"] as? String == "0.1")
    }
}

@Suite("evictor inventory --source k8s")
struct KubernetesInventoryCommandTests {
    @Test("collects both contexts through kubectl; an unreachable context fails and keeps the old file")
    func kubernetes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-k8s-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig")
        let output = directory.appendingPathComponent("images.json")
        let server = try await KubernetesAPIServer.start(clusters: [
            "prod": Fixtures.url("Tests/Fixtures/kubernetes/prod"),
            "staging": Fixtures.url("Tests/Fixtures/kubernetes/staging"),
        ])
        do {
            try server.writeKubeconfig(to: kubeconfig, currentContext: "prod")
            let result = try await EvictorBinary.run([
                "inventory", "--source", "k8s", "--option", "k8s.kubeconfig=\(kubeconfig.path)", "-o", output.path,
            ])
            #expect(result.status == 0, "\(result.stderrText)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
            let images = try #require(document["images"] as? [[String: Any]])
            #expect(images.count == 18)
            #expect(
                images.contains {
                    $0["reference"] as? String == "registry.example.com:5000/tools/report:2.1"
                        && ($0["seen_at"] as? [String]) == ["k8s;prod;reports;CronJob/nightly-report"]
                })
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
        let before = try Data(contentsOf: output)
        let failed = try await EvictorBinary.run([
            "inventory", "--source", "k8s", "--option", "k8s.kubeconfig=\(kubeconfig.path)", "--option", "k8s.timeout=5", "-o", output.path,
        ])
        #expect(failed.status != 0)
        #expect(failed.stderrText.contains("source k8s failed: context prod: kubectl get pods"), "\(failed.stderrText)")
        #expect(try Data(contentsOf: output) == before)
    }
}
