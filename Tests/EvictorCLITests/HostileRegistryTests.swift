import EvictorCore
import EvictorTestSupport
import Foundation
import Testing

/// What a broken or hostile registry can send, fed to evictor through `ScriptedRegistry`.
@Suite("hostile registry answers")
struct HostileRegistryTests {
    /// A listing attack: the answer to the catalog or a tag list, and what the error must say.
    struct ListingCase: Sendable, CustomTestStringConvertible {
        var name: String
        var catalog: ScriptedAnswer
        var tags: ScriptedAnswer = .json(#"{"name":"app","tags":["v1"]}"#)
        var expected: String
        var testDescription: String { name }
    }

    static let deepNesting = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)

    static let listingCases: [ListingCase] = [
        ListingCase(
            name: "catalog is HTML", catalog: .json("<html><body>502 Bad Gateway</body></html>"),
            expected: "catalog: invalid response: body is not the expected JSON"),
        ListingCase(
            name: "catalog of the wrong shape", catalog: .json(#"{"repositories": 42}"#),
            expected: "catalog: invalid response: body is not the expected JSON"),
        ListingCase(
            name: "catalog nested 200,000 deep", catalog: .json(#"{"repositories":"# + deepNesting + "}"),
            expected: "catalog: invalid response: body is not the expected JSON"),
        ListingCase(
            name: "repository name with a terminal escape", catalog: .json(#"{"repositories":["ok","evil\u001b]0;owned\u0007\n"]}"#),
            expected: "not a valid repository name"),
        ListingCase(
            name: "repository name with a right-to-left override", catalog: .json(#"{"repositories":["app\u202egnp.exe"]}"#),
            expected: "not a valid repository name"),
        ListingCase(
            name: "repository name climbing out of /v2/", catalog: .json(#"{"repositories":["../../v2/_catalog"]}"#),
            expected: "not a valid repository name"),
        ListingCase(
            name: "tag with a control character", catalog: .json(#"{"repositories":["app"]}"#),
            tags: .json(#"{"name":"app","tags":["v1","v2\u0000\r\nX-Injected: 1"]}"#), expected: "not a valid tag"),
        ListingCase(
            name: "catalog that pages back to itself",
            catalog: .json(#"{"repositories":["app"]}"#, headers: [("Link", #"</v2/_catalog?n=1000>; rel="next""#)]),
            expected: "pagination loops back to /v2/_catalog?n=1000"),
        ListingCase(
            name: "tags list of the wrong shape", catalog: .json(#"{"repositories":["app"]}"#), tags: .json(#"{"name":"app","tags":{"v1":true}}"#),
            expected: "tags of app: invalid response: body is not the expected JSON"),
    ]

    /// Nothing a terminal would act on: no C0/C1 controls but newline and tab, no bidi overrides.
    static func isInert(_ text: String) -> Bool {
        !text.unicodeScalars.contains { scalar in
            (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
                || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
        }
    }

    @Test("garbage in a listing is one error line naming it; ls, count and plan exit non-zero; evict deletes nothing", arguments: listingCases)
    func listingGarbage(_ attack: ListingCase) async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try await ScriptedRegistry.with({ _, uri in
            if uri.hasPrefix("/v2/_catalog") { return attack.catalog }
            if uri.hasPrefix("/v2/app/tags/list") || uri.hasPrefix("/v2/ok/tags/list") { return attack.tags }
            return nil
        }) { registry in
            let planPath = work.appendingPathComponent("plan.json").path
            let policy = ["--policy", Fixtures.url("policies/keep-last.lua").path, "--policy-option", "keep=0", "--max-delete-percent", "100"]
            let commands: [[String]] = [
                ["ls", registry.url], ["count", registry.url], ["plan", registry.url, "-o", planPath] + policy,
                ["evict", registry.url, "--delete", "--journal", work.appendingPathComponent("j.jsonl").path] + policy,
            ]
            for command in commands {
                let result = try await EvictorBinary.run(command)
                let errors = result.stderrText.split(separator: "\n").filter { !$0.contains("warning:") }
                #expect(result.status != 0, "\(command[0]): \(result.stdoutText)")
                #expect(errors.count == 1 && errors[0].contains(attack.expected), "\(command[0]): \(result.stderrText)")
                #expect(
                    Self.isInert(result.stderrText) && Self.isInert(result.stdoutText),
                    "\(command[0]) printed control characters: \(result.stderrText.debugDescription)")
            }
            #expect(!FileManager.default.fileExists(atPath: planPath))
            #expect(!registry.requests.contains { $0.hasPrefix("DELETE") }, "\(registry.requests)")
            // The hostile names never went into a request.
            #expect(!registry.requests.contains { $0.contains("evil") || $0.contains("..") || $0.contains("%") }, "\(registry.requests)")
        }
    }

    @Test("a catalog over the 64 MiB limit is refused while it arrives: one line, bounded memory")
    func oversizedCatalog() async throws {
        // 96 MiB of repository names.
        var body = Data(#"{"repositories":["#.utf8)
        let entry = Data(#""team/application-with-a-long-name","#.utf8)
        body.reserveCapacity((96 << 20) + 64)
        while body.count < 96 << 20 { body.append(entry) }
        body.append(Data(#""last"]}"#.utf8))
        let catalog = ScriptedAnswer(body: body)
        try await ScriptedRegistry.with({ _, uri in uri.hasPrefix("/v2/_catalog") ? catalog : nil }) { registry in
            let (result, peak) = try await EvictorBinary.runMeasuringMemory(["count", registry.url])
            #expect(result.status != 0)
            #expect(result.stderrText.contains("catalog: response larger than 67108864 bytes, refused"), "\(result.stderrText)")
            // The cap plus the process itself, not the body.
            #expect(peak < 180_000, "peak \(peak) KiB")
            print("oversized catalog (96 MiB): refused, peak \(peak / 1024) MiB")
        }
    }

    @Test("a tag list of 300,000 tags and a catalog of 20,000 repositories are listed with bounded memory")
    func hugeListings() async throws {
        let tags = (0..<300_000).map { "\"build-\($0)\"" }.joined(separator: ",")
        let tagList = ScriptedAnswer.json(#"{"name":"app","tags":["# + tags + "]}")
        let names = (0..<20_000).map { "\"team/service-\($0)\"" }.joined(separator: ",")
        let catalog = ScriptedAnswer.json(#"{"repositories":["# + names + "]}")
        try await ScriptedRegistry.with({ _, uri in
            if uri.hasPrefix("/v2/_catalog") { return catalog }
            if uri.hasPrefix("/v2/app/tags/list") { return tagList }
            if uri.hasPrefix("/v2/team/") { return .json(#"{"name":"x","tags":[]}"#) }
            return nil
        }) { registry in
            let (tagsResult, tagsPeak) = try await EvictorBinary.runMeasuringMemory(["ls", registry.url, "-r", "app"])
            #expect(tagsResult.status == 0, "\(tagsResult.stderrText)")
            #expect(tagsResult.stdoutText.split(separator: "\n").count == 300_000)
            let (countResult, countPeak) = try await EvictorBinary.runMeasuringMemory(["count", registry.url], timeout: .seconds(300))
            #expect(countResult.status == 0, "\(countResult.stderrText)")
            #expect(countResult.stdoutText.contains("repositories: 20000 (20000 without tags)"), "\(countResult.stdoutText)")
            #expect(tagsPeak < 250_000 && countPeak < 250_000, "ls peak \(tagsPeak) KiB, count peak \(countPeak) KiB")
            print("huge listings: ls of 300,000 tags peak \(tagsPeak / 1024) MiB; count of 20,000 repositories peak \(countPeak / 1024) MiB")
        }
    }

    @Test(
        "a hostile token service: no JSON, a token smuggling a header, an endless body: one line, no request carries it",
        arguments: [
            ("HTML instead of JSON", ScriptedAnswer.json("<html>login</html>"), "returned no token"),
            ("a token with CR LF and a header", ScriptedAnswer.json(#"{"token":"abc\r\nX-Injected: 1"}"#), "characters a header cannot carry"),
            (
                "a 70 MiB answer",
                ScriptedAnswer(body: Data(#"{"token":""#.utf8) + Data(repeating: UInt8(ascii: "a"), count: 70 << 20) + Data(#""}"#.utf8)),
                "answered more than 67108864 bytes, refused"
            ),
        ])
    func hostileTokenService(_ name: String, _ answer: ScriptedAnswer, _ expected: String) async throws {
        try await ScriptedRegistry.with({ _, uri in uri.hasPrefix("/token") ? answer : nil }) { tokens in
            let challenge = #"Bearer realm="\#(tokens.url)/token",service="registry""#
            let denied = ScriptedAnswer(
                status: 401, headers: [("WWW-Authenticate", challenge)], body: Data(#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.utf8))
            try await ScriptedRegistry.with({ _, _ in denied }) { registry in
                let result = try await EvictorBinary.run(["ls", registry.url], environment: ["EVICTOR_USERNAME": "u", "EVICTOR_PASSWORD": "p"])
                let errors = result.stderrText.split(separator: "\n").filter { !$0.contains("warning:") }
                #expect(result.status != 0)
                #expect(
                    errors.count == 1 && errors[0].contains("authentication failed") && errors[0].contains(expected), "\(name): \(result.stderrText)")
                #expect(Self.isInert(result.stderrText))
                #expect(
                    registry.requests.count >= 1 && registry.requests.allSatisfy { !$0.lowercased().contains("injected") }, "\(registry.requests)")
            }
        }
    }

    /// Manifests a registry should not serve, each under its own tag.
    struct HostileManifests: Sendable {
        static let layerDigest = "sha256:" + String(repeating: "ab", count: 32)
        static let config = Data(
            #"{"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
        static let configDigest = Sha256.digest(config)

        static func image(layers: Int) -> Data {
            let layer = #"{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\#(layerDigest)","size":1}"#
            return Data(
                (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","#
                    + #""config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(configDigest)","size":\#(config.count)},"#
                    + #""layers":["#
                    + Array(repeating: layer, count: layers).joined(separator: ",") + "]}").utf8)
        }

        /// An index listing, as its only child, the digest the registry claims for the index itself.
        static let claimedSelf = "sha256:" + String(repeating: "5e", count: 32)
        static let selfIndex = Data(
            (#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","#
                + #""manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"\#(claimedSelf)","size":200}]}"#)
                .utf8)

        /// tag -> (bytes, digest header)
        static let byTag: [String: (Data, String)] = {
            var result: [String: (Data, String)] = [:]
            let healthy = image(layers: 1)
            result["healthy"] = (healthy, Sha256.digest(healthy))
            // 25,000 layer entries, just under the 4 MiB manifest limit.
            let huge = image(layers: 25_000)
            result["huge-array"] = (huge, Sha256.digest(huge))
            let oversized =
                Data(#"{"schemaVersion":2,"annotations":{"pad":""#.utf8) + Data(repeating: UInt8(ascii: "x"), count: 5 << 20) + Data(#""}}"#.utf8)
            result["over-limit"] = (oversized, Sha256.digest(oversized))
            result["self-index"] = (selfIndex, claimedSelf)
            let notJSON = Data("\u{1b}[2J not a manifest".utf8)
            result["not-json"] = (notJSON, Sha256.digest(notJSON))
            let nested = Data((#"{"schemaVersion":2,"layers":"# + HostileRegistryTests.deepNesting + "}").utf8)
            result["deep-nesting"] = (nested, Sha256.digest(nested))
            return result
        }()

        static func answer(_ method: String, _ uri: String) -> ScriptedAnswer? {
            if uri.hasPrefix("/v2/_catalog") { return .json(#"{"repositories":["app"]}"#) }
            if uri.hasPrefix("/v2/app/tags/list") { return .json(#"{"name":"app","tags":\#(byTag.keys.sorted().debugDescription)}"#) }
            if uri.hasPrefix("/v2/app/blobs/") {
                return uri.hasSuffix(configDigest)
                    ? ScriptedAnswer(body: config) : ScriptedAnswer(headers: [("Docker-Content-Digest", layerDigest)], body: Data([0]))
            }
            guard uri.hasPrefix("/v2/app/manifests/") else { return nil }
            let reference = String(uri.dropFirst("/v2/app/manifests/".count))
            let found = byTag[reference] ?? byTag.values.first { $0.1 == reference }
            guard let (bytes, digest) = found else { return nil }
            let mediaType = bytes == selfIndex ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json"
            return ScriptedAnswer(headers: [("Content-Type", mediaType), ("Docker-Content-Digest", digest)], body: bytes)
        }
    }

    @Test(
        """
        self-referencing index, huge arrays, over-limit, non-JSON and deeply nested manifests: \
        check reports each, plan keeps them, memory stays bounded
        """
    )
    func hostileManifests() async throws {
        let work = try EvictionTests.workDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try await ScriptedRegistry.with(HostileManifests.answer) { registry in
            let directory = work.appendingPathComponent("report").path
            let (check, peak) = try await EvictorBinary.runMeasuringMemory([
                "check", registry.url, "--all", "--report-dir", directory, "--timeout", "5",
            ])
            #expect(check.status == 1, "\(check.stdoutText)\(check.stderrText)")
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/report.json"))
            let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let findings = (report["findings"] as? [[String: Any]]) ?? []
            let problems = Dictionary(findings.map { ("\($0["tag"] ?? "")", "\($0["problem"] ?? "")") }, uniquingKeysWith: { first, _ in first })
            #expect(
                problems == [
                    "self-index": "digest-mismatch", "over-limit": "corrupt", "not-json": "corrupt", "deep-nesting": "corrupt",
                ], "\(findings)")
            #expect(Self.isInert(check.stdoutText), "\(check.stdoutText.debugDescription)")
            // The huge manifest's 30,000 layer entries name one blob: asked for once.
            #expect(registry.requests.filter { $0.hasPrefix("HEAD /v2/app/blobs/\(HostileManifests.layerDigest)") }.count == 1)
            #expect(peak < 200_000, "peak \(peak) KiB")
            print("hostile manifests: check peak \(peak / 1024) MiB")

            // A plan leaves what it cannot read out (kept), with a warning each.
            let planPath = work.appendingPathComponent("plan.json").path
            let plan = try await EvictorBinary.run([
                "plan", registry.url, "--policy", Fixtures.url("policies/keep-last.lua").path,
                "--policy-option", "keep=0", "--max-delete-percent", "100", "-o", planPath, "--timeout", "5",
            ])
            #expect(plan.status == 0, "\(plan.stderrText)")
            #expect(Self.isInert(plan.stderrText), "\(plan.stderrText.debugDescription)")
            let actions = try PlanFile.read(planPath).actions
            #expect(Set(actions.flatMap(\.tags)) == ["healthy", "huge-array"], "\(actions.map(\.tags))")
        }
    }
}
