import EvictorCore
import EvictorScripting
import EvictorTestSupport
import Foundation
import LuaRuntime
import Testing

/// The project's own plugins/ folder.
let projectPlugins = PluginPath(directories: [Fixtures.url("plugins").path])

/// Runs a bundled source with an argument and options.
func runBundled(_ name: String, argument: String? = nil, options: [(String, String)] = []) async throws -> [InventoryImage] {
    let script = try #require(projectPlugins.script(in: "sources", named: name))
    let plugin = try await SourcePlugin.load(script: script, pluginPath: projectPlugins, log: { _, _ in })
    return try await SourceRunner.collect(plugin, options: try plugin.resolveOptions(argument: argument, settings: options))
}

/// A scratch directory for fixture files.
func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-src-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("plugins/sources/static.lua")
struct StaticSourceTests {
    @Test("plain lists: one reference per line, comments and blanks skipped")
    func plainList() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("keep.txt")
        try "# images we always keep\nreg.io/shop/web:1.0\n\n  reg.io/tools/debug:latest   # on call\nnginx\n".write(
            to: file, atomically: true, encoding: .utf8)
        let images = try await runBundled("static", argument: file.path)
        #expect(images.map(\.reference.description) == ["reg.io/shop/web:1.0", "reg.io/tools/debug:latest", "docker.io/library/nginx"])
        #expect(images[1].seenAt == ["static;\(file.path):4"])
    }

    @Test("the original collector's images.json")
    func originalFormat() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("images.json")
        try """
        {
          "reg.io/shop/web:1.4.0": {
            "_digest": "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "_last_wanted": "2024-03-01T12:00:00Z",
            "prod;shop;web-7d9f": {"phase": "Running"}
          },
          "reg.io/tools/report:2.1": {"_last_wanted": 1709294400, "prod;batch;report-1": {}}
        }
        """.write(to: file, atomically: true, encoding: .utf8)
        let images = try await runBundled("static", argument: file.path)
        #expect(
            images.map(\.reference.description) == [
                "reg.io/shop/web:1.4.0@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "reg.io/tools/report:2.1",
            ])
        #expect(images[0].seenAt == ["k8s;prod;shop;web-7d9f"])
        #expect(images[1].lastWanted == Date(timeIntervalSince1970: 1_709_294_400))
    }

    @Test("evictor's own images.json reads back")
    func ownFormat() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("images.json").path
        let inventory = Inventory(images: [
            InventoryImage(reference: try ImageReference(parsing: "reg.io/a:1"), seenAt: ["k8s;c;n;Pod/p"], sources: ["k8s"])
        ])
        try InventoryFile.write(inventory, to: path)
        let images = try await runBundled("static", argument: path)
        #expect(images.map(\.reference.description) == ["reg.io/a:1"])
        #expect(images[0].seenAt == ["k8s;c;n;Pod/p"])
    }

    @Test("a missing file or broken JSON fails the source")
    func failures() async throws {
        await #expect(throws: ScriptingError.self) { try await runBundled("static", argument: "/nonexistent/images.json") }
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("broken.json")
        try "{\"reg.io/a:1\": {".write(to: file, atomically: true, encoding: .utf8)
        await #expect(throws: ScriptingError.self) { try await runBundled("static", argument: file.path) }
    }
}

@Suite("plugins/sources/compose.lua")
struct ComposeSourceTests {
    @Test("every interpolation form, .env beside the file, globs, v1/v2/v3, build-only services")
    func interpolation() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let app = directory.appendingPathComponent("app")
        let legacy = directory.appendingPathComponent("legacy")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: legacy, withIntermediateDirectories: true)
        try """
        REGISTRY=reg.io:5000
        export WEB_TAG="1.4.0"
        EMPTY=
        # comment
        """.write(to: app.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try """
        version: "3.8"
        services:
          web:
            image: ${REGISTRY}/shop/web:${WEB_TAG}
          api:
            image: $REGISTRY/shop/api:${API_TAG:-2.0}
          worker:
            image: ${REGISTRY}/shop/worker:${EMPTY:-fallback}
          cron:
            image: ${REGISTRY}/shop/cron:${EMPTY-kept-empty}x
          alt:
            image: reg.io/alt/app:${WEB_TAG:+set}
          built:
            build: ./built
        """.write(to: app.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        try """
        db:
          image: postgres:15
        cache:
          image: redis
        """.write(to: legacy.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        let images = try await runBundled("compose", argument: "\(directory.path)/*/docker-compose.yml")
        let references = Set(images.map(\.reference.description))
        #expect(
            references == [
                "reg.io:5000/shop/web:1.4.0", "reg.io:5000/shop/api:2.0", "reg.io:5000/shop/worker:fallback",
                "reg.io:5000/shop/cron:x", "reg.io/alt/app:set", "docker.io/library/postgres:15", "docker.io/library/redis",
            ])
        #expect(images.first { $0.reference.path == "shop/web" }?.seenAt == ["compose;\(app.path)/docker-compose.yml;web"])
        #expect(!references.contains { $0.contains("built") })
    }

    @Test("$$ is a literal dollar, ${VAR:?} fails with the message, bad YAML fails naming the file")
    func errors() async throws {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let required = directory.appendingPathComponent("required.yml")
        try "services:\n  web:\n    image: reg.io/web:${MUST_BE_SET:?set the release tag}\n".write(to: required, atomically: true, encoding: .utf8)
        do {
            _ = try await runBundled("compose", argument: required.path)
            Issue.record("expected failure")
        } catch {
            #expect(String(describing: error).contains("variable MUST_BE_SET is required: set the release tag"))
        }
        let broken = directory.appendingPathComponent("broken.yml")
        try "services:\n  web:\n    image: [unclosed\n".write(to: broken, atomically: true, encoding: .utf8)
        do {
            _ = try await runBundled("compose", argument: broken.path)
            Issue.record("expected failure")
        } catch {
            #expect(String(describing: error).contains(broken.path))
        }
        let dollar = directory.appendingPathComponent("dollar.yml")
        try "services:\n  web:\n    image: reg.io/web:v$$1\n".write(to: dollar, atomically: true, encoding: .utf8)
        // "v$1" is not a valid tag: the source fails rather than inventing a reference.
        await #expect(throws: ScriptingError.self) { try await runBundled("compose", argument: dollar.path) }
    }
}
