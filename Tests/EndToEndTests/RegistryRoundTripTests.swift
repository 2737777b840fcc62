import EvictorTestSupport
import Foundation
import Testing

@Suite("Test support: a real registry, images pushed with skopeo")
struct RegistryRoundTripTests {
    @Test("pushes a single-platform image and a two-platform index, reads both back with skopeo")
    func pushAndInspect() async throws {
        try await RegistryServer.with { registry in
            let layout = try OCILayoutBuilder.temporary()
            defer { layout.remove() }
            let created = Date(timeIntervalSince1970: 1_700_000_000)
            let single = try layout.addImage(tag: "v1", TestImageSpec(created: created, layerSeed: "web-v1", labels: ["team": "core"]))
            let index = try layout.addIndex(
                tag: "multi",
                [
                    TestImageSpec(created: created, layerSeed: "web-amd64", platform: .linuxAmd64),
                    TestImageSpec(created: created.addingTimeInterval(60), layerSeed: "web-arm64", platform: .linuxArm64),
                ])
            try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: "team/web")
            try await Skopeo.push(layout: layout, tag: "multi", to: registry, repository: "team/web")

            let singleRaw = try await Skopeo.inspectRaw(registry, "team/web:v1")
            #expect(singleRaw == single.bytes)
            #expect(Sha256.digest(singleRaw) == single.digest)

            let indexRaw = try await Skopeo.inspectRaw(registry, "team/web:multi")
            #expect(Sha256.digest(indexRaw) == index.digest)
            let decoded = try JSONSerialization.jsonObject(with: indexRaw) as? [String: Any]
            let manifests = decoded?["manifests"] as? [[String: Any]]
            #expect(manifests?.count == 2)
            for child in index.children {
                let childRaw = try await Skopeo.inspectRaw(registry, "team/web@\(child.digest)")
                #expect(childRaw == child.bytes)
            }
            // The storage root is the registry's own, on disk.
            let tagLink = registry.storageRoot.appendingPathComponent("docker/registry/v2/repositories/team/web/_manifests/tags/v1/current/link")
            #expect(try String(contentsOf: tagLink, encoding: .utf8) == single.digest)
        }
    }

    @Test("the registry is stopped by PID when the test ends")
    func stopsByPID() async throws {
        let registry = try await RegistryServer.start()
        let pid = try #require(registry.pid)
        #expect(kill(pid, 0) == 0)
        registry.stop()
        #expect(kill(pid, 0) != 0)
        #expect(!FileManager.default.fileExists(atPath: registry.workDirectory.path))
    }
}
