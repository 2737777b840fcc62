import EvictorTestSupport
import Foundation
import Testing

@Suite("evictor ls and evictor count against the real registry")
struct ListAndCountTests {
    /// Pushes a known set of images; returns the expected `repo:tag@digest` lines.
    static func populate(_ registry: RegistryServer) async throws -> [String] {
        let layout = try OCILayoutBuilder.temporary()
        defer { layout.remove() }
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        let a = try layout.addImage(tag: "a", TestImageSpec(created: created, layerSeed: "ls-a"))
        let b = try layout.addImage(tag: "b", TestImageSpec(created: created, layerSeed: "ls-b"))
        let index = try layout.addIndex(
            tag: "m",
            [
                TestImageSpec(created: created, layerSeed: "ls-m1", platform: .linuxAmd64),
                TestImageSpec(created: created, layerSeed: "ls-m2", platform: .linuxArm64),
            ])
        try await Skopeo.push(layout: layout, tag: "a", to: registry, repository: "web/front", destinationTag: "1.0")
        try await Skopeo.push(layout: layout, tag: "a", to: registry, repository: "web/front", destinationTag: "latest")
        try await Skopeo.push(layout: layout, tag: "b", to: registry, repository: "web/front", destinationTag: "0.9")
        try await Skopeo.push(layout: layout, tag: "m", to: registry, repository: "tools/multi", destinationTag: "v2")
        try await Skopeo.push(layout: layout, tag: "b", to: registry, repository: "tools/multi", destinationTag: "v1")
        return [
            "tools/multi:v1@\(b.digest)",
            "tools/multi:v2@\(index.digest)",
            "web/front:0.9@\(b.digest)",
            "web/front:1.0@\(a.digest)",
            "web/front:latest@\(a.digest)",
        ]
    }

    @Test("ls prints sorted repo:tag lines, with --digest repo:tag@digest, and JSON")
    func list() async throws {
        try await RegistryServer.with { registry in
            let expected = try await Self.populate(registry)
            let plain = try await EvictorBinary.run(["ls", registry.url])
            #expect(plain.status == 0, "\(plain.stderrText)")
            #expect(plain.stdoutText.split(separator: "\n").map(String.init) == expected.map { String($0.split(separator: "@")[0]) })

            let withDigests = try await EvictorBinary.run(["ls", registry.url, "--digest"])
            #expect(withDigests.stdoutText.split(separator: "\n").map(String.init) == expected)

            let one = try await EvictorBinary.run(["ls", registry.url, "-r", "tools/multi"])
            #expect(one.stdoutText == "tools/multi:v1\ntools/multi:v2\n")

            let json = try await EvictorBinary.run(["ls", registry.url, "--output", "json"])
            let decoded = try JSONSerialization.jsonObject(with: json.stdout) as? [[String: Any]]
            #expect(decoded?.count == 5)
            #expect(decoded?.first?["repository"] as? String == "tools/multi")
        }
    }

    @Test("count agrees with what was pushed; manifests only with --manifests, which costs a HEAD per tag")
    func count() async throws {
        try await RegistryServer.with { registry in
            _ = try await Self.populate(registry)
            let result = try await EvictorBinary.run(
                ["count", registry.url, "--output", "json", "--by-repo", "--manifests"], environment: ["EVICTOR_STATS": "1"])
            #expect(result.status == 0, "\(result.stderrText)")
            let counts = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
            #expect(counts["repositories"] as? Int == 2)
            #expect(counts["tags"] as? Int == 5)
            // web/front: a and b; tools/multi: index and b.
            #expect(counts["manifests"] as? Int == 4)
            let rows = counts["by_repository"] as? [[String: Any]]
            #expect(rows?.count == 2)

            // By default: the catalog and a tag list per repository, the same tag counts, no manifests.
            let plain = try await EvictorBinary.run(["count", registry.url, "--output", "json", "--by-repo"], environment: ["EVICTOR_STATS": "1"])
            let plainCounts = try #require(try JSONSerialization.jsonObject(with: plain.stdout) as? [String: Any])
            #expect(plainCounts["tags"] as? Int == 5 && plainCounts["repositories"] as? Int == 2)
            #expect(plainCounts["manifests"] == nil && plainCounts["unresolved_tags"] == nil, "\(plainCounts)")
            func requests(_ result: ProcessResult) -> Int? {
                result.stderrText.split(separator: "\n").first { $0.hasPrefix("evictor-stats: requests=") }
                    .flatMap { Int($0.dropFirst("evictor-stats: requests=".count).prefix { $0.isNumber }) }
            }
            let (few, many) = (try #require(requests(plain)), try #require(requests(result)))
            #expect(few <= 2 + 1 && many >= few + 5, "default \(few) requests, --manifests \(many)")

            let text = try await EvictorBinary.run(["count", registry.url])
            #expect(text.stdoutText.contains("tags: 5") && !text.stdoutText.contains("manifests:"), "\(text.stdoutText)")
        }
    }

    @Test("a wrong password exits non-zero with one error line naming the registry and no secret")
    func wrongPassword() async throws {
        try await RegistryServer.withBasicAuth(user: "carol", password: "right-pass") { registry in
            let fromStdin = try await EvictorBinary.run(
                ["ls", registry.url, "--username", "carol", "--password-stdin"], input: Data("super-secret-typo\n".utf8))
            #expect(fromStdin.status != 0)
            let lines = fromStdin.stderrText.split(separator: "\n")
            #expect(lines.count == 1, "\(fromStdin.stderrText)")
            #expect(fromStdin.stderrText.contains(registry.hostPort))
            #expect(!fromStdin.stderrText.contains("super-secret-typo"))
            #expect(!fromStdin.stdoutText.contains("super-secret-typo"))

            let fromEnvironment = try await EvictorBinary.run(
                ["count", registry.url], environment: ["EVICTOR_USERNAME": "carol", "EVICTOR_PASSWORD": "other-typo"])
            #expect(fromEnvironment.status != 0)
            #expect(!fromEnvironment.stderrText.contains("other-typo"))

            let right = try await EvictorBinary.run(
                ["ls", registry.url], environment: ["registry_username": "carol", "registry_password": "right-pass"])
            #expect(right.status == 0, "\(right.stderrText)")
        }
    }

    @Test("bad input is one clear error line")
    func badInput() async throws {
        let badRegistry = try await EvictorBinary.run(["ls", "ftp://nowhere"])
        #expect(badRegistry.status != 0)
        #expect(badRegistry.stderrText.contains("invalid registry 'ftp://nowhere'"))
        let closedPort = try ClosedPort()
        defer { withExtendedLifetime(closedPort) {} }
        let port = closedPort.port
        let unreachable = try await EvictorBinary.run(["count", "http://127.0.0.1:\(port)"], timeout: .seconds(90))
        #expect(unreachable.status != 0)
        #expect(unreachable.stderrText.split(separator: "\n").count == 1)
        #expect(unreachable.stderrText.contains("127.0.0.1:\(port)"))
        let noUser = try await EvictorBinary.run(["ls", "http://127.0.0.1:\(port)", "--password-stdin"], input: Data("secret\n".utf8))
        #expect(noUser.status != 0)
        #expect(noUser.stderrText.contains("--password-stdin needs --username"))
        #expect(!noUser.stderrText.contains("secret"))
        let noBreaker = try await EvictorBinary.run(["count", "http://127.0.0.1:\(port)", "--give-up-after", "0"])
        #expect(noBreaker.status != 0)
        #expect(noBreaker.stderrText.contains("--give-up-after must be at least 1"), "\(noBreaker.stderrText)")
    }
}
