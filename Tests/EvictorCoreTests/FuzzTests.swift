import EvictorCore
import Foundation
import Testing

/// Randomised inputs, within a fixed time budget, for the parsers that read what registries,
/// plugins and files hand us (see `Fuzz` for the budget, the seed and how to replay a failure).
/// The properties go beyond "does not crash": a value or the module's own error, the same
/// answer twice, and what is parsed renders back to text that parses to the same value.
@Suite("Fuzzing the parsers of manifests, references, digests and images.json")
struct FuzzTests {
    // MARK: - Manifests

    @Test("Manifest.parse: a manifest or a one-line ManifestParseError, the same twice, of the input's digest and size")
    func manifests() {
        let seeds = ManifestSeeds.all.map { Array($0.utf8) }
        let outcome = Fuzz.run("Manifest.parse") { g in
            let input = JSONMutator.mutate(g.pick(seeds), &g)
            let contentType = g.pick(ManifestSeeds.contentTypes)
            return Self.manifestProblem(input, contentType: contentType)
        }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
        #expect(outcome.inputs > 50)
    }

    /// nil when `Manifest.parse` behaves on `input`.
    static func manifestProblem(_ input: [UInt8], contentType: String?) -> String? {
        let digest = Digest.sha256(of: input)
        let first: Result<Manifest, ManifestParseError>
        do { first = .success(try Manifest.parse(input, contentType: contentType, digest: digest)) } catch { first = .failure(error) }
        let second: Result<Manifest, ManifestParseError>
        do { second = .success(try Manifest.parse(input, contentType: contentType, digest: digest)) } catch { second = .failure(error) }
        switch (first, second) {
        case (.success(let manifest), .success(let again)):
            guard ManifestSeeds.same(manifest, again) else { return "two parses differ for \(Fuzz.preview(input))" }
            guard manifest.digest == digest, manifest.digest.matches(input), manifest.size == input.count else {
                return "digest \(manifest.digest) or size \(manifest.size) is not the input's for \(Fuzz.preview(input))"
            }
            guard !manifest.mediaType.isEmpty, manifest.kind != .image || manifest.config != nil else {
                return "\(manifest.kind) without a media type or config for \(Fuzz.preview(input))"
            }
            guard manifest.kind == .schema1 || (manifest.blobs + manifest.children).allSatisfy({ $0.size >= 0 }) else {
                return "negative size accepted for \(Fuzz.preview(input))"
            }
        case (.failure(let error), .failure(let again)):
            guard error == again else { return "two parses fail differently (\(error) / \(again)) for \(Fuzz.preview(input))" }
            guard !error.reason.isEmpty, !error.reason.contains("\n") else {
                return "reason '\(error.reason)' is empty or not one line for \(Fuzz.preview(input))"
            }
        default:
            return "one parse succeeded, the other failed, for \(Fuzz.preview(input))"
        }
        return nil
    }

    // MARK: - Image references

    @Test("ImageReference(parsing:): a reference whose text parses back to itself, or invalidReference naming the input")
    func references() {
        let outcome = Fuzz.run("ImageReference") { g in
            var text = g.chance(0.3) ? g.pick(ReferenceSeeds.known) : ReferenceSeeds.generate(&g)
            if g.chance(0.7) { text = ReferenceSeeds.mutate(text, &g) }
            return Self.referenceProblem(text)
        }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
        #expect(outcome.inputs > 1000)
    }

    static func referenceProblem(_ text: String) -> String? {
        let first: Result<ImageReference, EvictorCoreError>
        do { first = .success(try ImageReference(parsing: text)) } catch { first = .failure(error) }
        let second: Result<ImageReference, EvictorCoreError>
        do { second = .success(try ImageReference(parsing: text)) } catch { second = .failure(error) }
        guard first == second else { return "two parses differ for \(Fuzz.preview(text))" }
        switch first {
        case .success(let reference):
            let rendered = reference.description
            let again: ImageReference
            do { again = try ImageReference(parsing: rendered) } catch {
                return "\(Fuzz.preview(text)) parsed, but its text \(Fuzz.preview(rendered)) does not: \(error)"
            }
            guard again == reference, again.description == rendered else {
                return "\(Fuzz.preview(text)) renders as \(Fuzz.preview(rendered)), which parses to \(again.domain) / \(again.path)"
            }
            guard ReferenceGrammar.isValidPath(reference.path), ReferenceGrammar.isValidDomain(reference.domain),
                reference.tag.map(ReferenceGrammar.isValidTag) ?? true, reference.name.utf8.count <= ReferenceGrammar.maxNameLength,
                rendered.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
            else { return "\(Fuzz.preview(text)) gave \(Fuzz.preview(rendered)), outside the grammar" }
        case .failure(let error):
            guard case .invalidReference(let named, let reason) = error, named == text, !reason.isEmpty else {
                return "\(Fuzz.preview(text)) failed with \(error), not invalidReference naming it"
            }
            guard !error.description.contains("\n") else { return "the error for \(Fuzz.preview(text)) is not one line" }
        }
        return nil
    }

    // MARK: - Digests

    @Test("Digest(parsing:): exactly sha256/sha512 with lower-case hex, rendered as given, or invalidDigest of the input")
    func digests() {
        let outcome = Fuzz.run("Digest") { g in
            let bytes = JSONMutator.randomBytes(&g, count: Int.random(in: 0...64, using: &g))
            let computed = Digest.sha256(of: bytes)
            guard (try? Digest(parsing: computed.description)) == computed, computed.matches(bytes) else {
                return "sha256 of \(Fuzz.preview(bytes)) does not parse back or match"
            }
            return Self.digestProblem(DigestSeeds.generate(&g))
        }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
        #expect(outcome.inputs > 1000)
    }

    static func digestProblem(_ text: String) -> String? {
        do {
            let digest = try Digest(parsing: text)
            let expectedLength = ["sha256": 64, "sha512": 128][digest.algorithm]
            guard digest.description == text, expectedLength == digest.hex.utf8.count,
                digest.hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
                (try? Digest(parsing: digest.description)) == digest
            else { return "\(Fuzz.preview(text)) parsed to \(digest)" }
        } catch {
            guard error == .invalidDigest(text) else { return "\(Fuzz.preview(text)) failed with \(error)" }
            guard !DigestSeeds.looksValid(text) else { return "\(Fuzz.preview(text)) is a digest but was refused" }
        }
        return nil
    }

    // MARK: - images.json

    @Test("InventoryFile.read: an inventory that survives write and read again, or invalidInventory naming the file")
    func inventories() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("images.json").path
        let rewritten = directory.appendingPathComponent("again.json").path
        let seeds = try InventorySeeds.documents(in: directory)
        let outcome = Fuzz.run("InventoryFile.read") { g in
            let bytes = JSONMutator.mutate(g.pick(seeds), &g)
            return Self.inventoryProblem(bytes, path: input, rewritten: rewritten)
        }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
        #expect(outcome.inputs > 50)
    }

    static func inventoryProblem(_ bytes: [UInt8], path: String, rewritten: String) -> String? {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return "cannot write \(path)" }
        let first: Result<Inventory, EvictorCoreError>
        do { first = .success(try InventoryFile.read(path)) } catch { first = .failure(error) }
        let second: Result<Inventory, EvictorCoreError>
        do { second = .success(try InventoryFile.read(path)) } catch { second = .failure(error) }
        switch (first, second) {
        case (.success(let inventory), .success(let again)):
            guard InventorySeeds.same(inventory, again) else { return "two reads differ for \(Fuzz.preview(bytes))" }
            do {
                try InventoryFile.write(inventory, to: rewritten)
                let reread = try InventoryFile.read(rewritten)
                guard InventorySeeds.same(inventory, reread) else { return "write and read changed the inventory of \(Fuzz.preview(bytes))" }
            } catch {
                return "the inventory read from \(Fuzz.preview(bytes)) cannot be written and read back: \(error)"
            }
        case (.failure(let error), .failure(let again)):
            guard error == again else { return "two reads fail differently (\(error) / \(again)) for \(Fuzz.preview(bytes))" }
            guard case .invalidInventory(let named, let reason) = error, named == path, !reason.isEmpty else {
                return "\(Fuzz.preview(bytes)) failed with \(error), not invalidInventory naming the file"
            }
            guard !error.description.contains("\n") else { return "the error for \(Fuzz.preview(bytes)) is not one line: \(error)" }
        default:
            return "one read succeeded, the other failed, for \(Fuzz.preview(bytes))"
        }
        return nil
    }

    // MARK: - Deep nesting, every time (random mutation reaches it only now and then)

    /// A document nested 100,000 deep, named briefly for the test report.
    struct DeepDocument: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var text: String
    }

    static let deep = 100_000

    @Test(
        "100,000 nested arrays or objects are refused at once, without overflowing the stack",
        arguments: [
            DeepDocument(testDescription: "[[[...]]]", text: String(repeating: "[", count: deep) + String(repeating: "]", count: deep)),
            DeepDocument(testDescription: "[[[... unclosed", text: String(repeating: "[", count: deep)),
            DeepDocument(
                testDescription: "{\"a\":{\"a\":...1}}", text: String(repeating: "{\"a\":", count: deep) + "1" + String(repeating: "}", count: deep)),
            DeepDocument(
                testDescription: "a manifest whose config is [[[...]]]",
                text: #"{"schemaVersion":2,"config":"# + String(repeating: "[", count: deep) + String(repeating: "]", count: deep) + "}"
            ),
            DeepDocument(
                testDescription: "an inventory whose images are [[[... unclosed",
                text: #"{"format":"evictor-inventory","version":1,"images":"# + String(repeating: "[", count: deep)
            ),
        ])
    func deepNesting(_ document: DeepDocument) throws {
        let bytes = Array(document.text.utf8)
        let started = ContinuousClock.now
        #expect(throws: ManifestParseError.self) { try Manifest.parse(bytes, contentType: nil, digest: Digest.sha256(of: bytes)) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-deep-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: EvictorCoreError.self) { try InventoryFile.read(path) }
        #expect(error?.description.hasPrefix("\(path): invalid inventory:") == true)
        #expect(ContinuousClock.now - started < .seconds(2))
    }

    @Test(
        "references that only their capitals mark as a registry host keep them, so their text reads back the same",
        arguments: [
            ("UPPER/case", "UPPER/case"), ("Host-1/app:v1", "Host-1/app:v1"), ("[A]/x", "[A]/x"),
            ("LOCALHOST/app", "localhost/app"), ("Reg.IO/app", "reg.io/app"), ("UPPER:5000/app", "upper:5000/app"),
        ])
    func capitalisedHosts(_ input: String, _ rendered: String) throws {
        let reference = try ImageReference(parsing: input)
        #expect(reference.description == rendered)
        #expect(try ImageReference(parsing: rendered) == reference)
        #expect(reference.isOnRegistry(reference.domain.lowercased()))
    }
}

// MARK: - Seeds

enum ManifestSeeds {
    static func digest(_ name: String) -> String { Digest.sha256(of: Array(name.utf8)).description }

    static let ociManifest = """
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "config": { "mediaType": "application/vnd.oci.image.config.v1+json", "digest": "\(digest("config"))", "size": 1469 },
          "layers": [
            { "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "\(digest("layer1"))", "size": 3370706 },
            { "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "\(digest("layer2"))", "size": 92 }
          ],
          "annotations": { "org.opencontainers.image.created": "2024-05-01T10:00:00Z", "org.opencontainers.image.source": "https://example.com/app" }
        }
        """

    static let ociIndex = """
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.index.v1+json",
          "manifests": [
            { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(digest("amd64"))", "size": 1024,
              "platform": { "architecture": "amd64", "os": "linux" } },
            { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(digest("arm64"))", "size": 1025,
              "platform": { "architecture": "arm64", "os": "linux", "variant": "v8" } },
            { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(digest("attestation"))", "size": 840,
              "annotations": { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": "\(digest("amd64"))" },
              "platform": { "architecture": "unknown", "os": "unknown" } }
          ]
        }
        """

    static let dockerManifest = """
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": { "mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": "\(digest("docker-config"))" },
           "layers": [
              { "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": "\(digest("docker-layer"))" }
           ]
        }
        """

    static let manifestList = """
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
          "manifests": [
            { "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7143, "digest": "\(digest("ppc64le"))",
              "platform": { "architecture": "ppc64le", "os": "linux" } },
            { "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 7682, "digest": "\(digest("amd64-list"))",
              "platform": { "architecture": "amd64", "os": "linux", "os.features": ["sse4"] } }
          ]
        }
        """

    static let schema1 = """
        {
           "schemaVersion": 1,
           "name": "library/hello",
           "tag": "latest",
           "architecture": "amd64",
           "fsLayers": [ { "blobSum": "\(digest("blob1"))" }, { "blobSum": "\(digest("blob2"))" } ],
           "history": [ { "v1Compatibility": "{\\"id\\":\\"e45a5af57b00\\",\\"created\\":\\"2024-01-01T00:00:00Z\\"}" } ],
           "signatures": [ { "header": { "jwk": { "crv": "P-256", "kty": "EC" }, "alg": "ES256" }, \
        "signature": "XREm0L8WNn27Ga_iE_vRnTxVMhhYY0Zst_FfkKopg6gWSoTOZTuW4rK0fg_IqnKkEKlbD83tD46LKEGi5aIVFg", \
        "protected": "eyJmb3JtYXRMZW5ndGgiOjY2MjgsImZvcm1hdFRhaWwiOiJDbjAiLCJ0aW1lIjoiMjAxNS0wMy0yNVQyMjozNjoxMloifQ" } ]
        }
        """

    static let artifact = """
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "artifactType": "application/vnd.dev.cosign.artifact.sig.v1+json",
          "config": { "mediaType": "application/vnd.oci.empty.v1+json", "digest": "\(digest("{}"))", "size": 2, "data": "e30=" },
          "layers": [ { "mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": "\(digest("sig"))", "size": 250 } ],
          "subject": { "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "\(digest("subject"))", "size": 1024 }
        }
        """

    static let all = [ociManifest, ociIndex, dockerManifest, manifestList, schema1, artifact]

    static let contentTypes: [String?] = [
        nil, "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json; charset=utf-8", "application/json", "", "text/html",
    ]

    /// Field by field (Manifest is not Equatable).
    static func same(_ a: Manifest, _ b: Manifest) -> Bool {
        a.digest == b.digest && a.mediaType == b.mediaType && a.kind == b.kind && a.size == b.size && a.config == b.config
            && a.layers == b.layers && a.children == b.children && a.subject == b.subject && a.artifactType == b.artifactType
            && a.annotations == b.annotations
    }
}

enum ReferenceSeeds {
    static let known = [
        "nginx", "nginx:1.25", "library/nginx", "bitnami/redis:7", "docker.io/nginx", "index.docker.io/library/nginx:latest",
        "registry.example.com:5000/shop/web:1.4.0", "Registry.Example.com/shop/web", "localhost/app", "localhost:5000/app:v1",
        "127.0.0.1:5000/a/b/c:tag_1.2-x", "[::1]:5000/app", "UPPER/case", "ab__c-d--e/f.g_h",
        "quay.io/org/app@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "reg.io/app:v1@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "registry-1.docker.io/x", "ghcr.io/o/p/q/r/s:" + String(repeating: "t", count: 128), "reg.io/" + String(repeating: "a", count: 248),
    ]

    static let domains = [
        "localhost", "localhost:5000", "reg.io", "Registry.Example.COM:443", "127.0.0.1:5000", "[::1]:5000", "[FE80::1]", "[A]", "docker.io",
        "index.docker.io", "registry-1.docker.io", "UPPER", "Host-Name", "a.b.c", "x-y.z:65535", "r.io:0", "r.io:99999", "-bad.io", "re_g.io",
    ]

    /// A reference built from the grammar's pieces, valid or nearly so.
    static func generate(_ g: inout SeededGenerator) -> String {
        var text = ""
        if g.chance(0.6) { text += (g.chance(0.8) ? g.pick(domains) : label(&g)) + "/" }
        text += (0..<Int.random(in: 1...4, using: &g)).map { _ in component(&g) }.joined(separator: "/")
        if g.chance(0.5) {
            let length = g.chance(0.05) ? g.pick([128, 129]) : Int.random(in: 1...20, using: &g)
            let first = g.pick(Array("abcXYZ019_"))
            text += ":" + String(first) + String((1..<length).map { _ in g.pick(Array("abcXYZ019_.-")) })
        }
        if g.chance(0.3) { text += "@" + DigestSeeds.generate(&g) }
        return text
    }

    static func component(_ g: inout SeededGenerator) -> String {
        var text = ""
        for index in 0..<Int.random(in: 1...4, using: &g) {
            if index > 0 { text += g.pick([".", "_", "__", "-", "--", "---"]) }
            text += String((0..<Int.random(in: 1...8, using: &g)).map { _ in g.pick(Array("abcz0189")) })
        }
        return text
    }

    static func label(_ g: inout SeededGenerator) -> String {
        String((0..<Int.random(in: 1...10, using: &g)).map { _ in g.pick(Array("abcXYZ09-.:")) })
    }

    static let oddPieces = [
        ".", "-", "_", "__", ":", "/", "//", "@", "[", "]", " ", "\u{0}", "\n", "\u{7F}", "é", "🧨", "A", "Z", "sha256:", "localhost",
        "docker.io/", "library/", ":5000", "@sha256:" + String(repeating: "a", count: 64),
    ]

    /// One to three character-level edits.
    static func mutate(_ text: String, _ g: inout SeededGenerator) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: 1...3, using: &g) {
            let index = Int.random(in: 0...characters.count, using: &g)
            switch Int.random(in: 0..<6, using: &g) {
            case 0 where index < characters.count: characters.remove(at: index)
            case 1: characters.insert(contentsOf: Array(g.pick(oddPieces)), at: index)
            case 2 where index < characters.count: characters[index] = g.pick(Array("aA0.-_:/@[]"))
            case 3: characters = Array(characters.prefix(index))
            case 4 where index < characters.count:
                characters.replaceSubrange(index..<characters.count, with: Array(String(characters[index...]).uppercased()))
            default:
                let end = min(characters.count, index + Int.random(in: 1...12, using: &g))
                characters.insert(contentsOf: characters[index..<end], at: index)
            }
        }
        return String(characters)
    }
}

enum DigestSeeds {
    /// Digest-like text: right or wrong algorithm, length, case and characters.
    static func generate(_ g: inout SeededGenerator) -> String {
        let algorithm = g.pick(["sha256", "sha512", "sha256", "sha512", "SHA256", "md5", "sha384", "", "sha256 ", "sha25"])
        let length = g.chance(0.7) ? (algorithm.hasPrefix("sha512") ? 128 : 64) : g.pick([0, 1, 63, 65, 127, 129, 256])
        var hex = String((0..<length).map { _ in g.pick(Array("0123456789abcdef")) })
        if g.chance(0.2), !hex.isEmpty {
            var characters = Array(hex)
            characters[Int.random(in: 0..<characters.count, using: &g)] = g.pick(Array("ABCDEFgxz:@\u{0}é "))
            hex = String(characters)
        }
        return g.chance(0.05) ? hex : algorithm + g.pick([":", ":", ":", "", "::"]) + hex
    }

    /// The grammar, written independently of `Digest`.
    static func looksValid(_ text: String) -> Bool {
        for (algorithm, length) in [("sha256:", 64), ("sha512:", 128)] where text.hasPrefix(algorithm) {
            let hex = text.dropFirst(algorithm.count)
            return hex.utf8.count == length && hex.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        }
        return false
    }
}

enum InventorySeeds {
    /// images.json files as `InventoryFile.write` writes them.
    static func documents(in directory: URL) throws -> [[UInt8]] {
        let wanted = Date(timeIntervalSince1970: 1_714_557_600)
        let inventories = [
            Inventory(generatedAt: Date(timeIntervalSince1970: 1_700_000_000)),
            Inventory(
                generatedAt: Date(timeIntervalSince1970: 1_700_000_000),
                sources: [
                    InventorySourceSummary(name: "k8s", images: 2),
                    InventorySourceSummary(name: "compose", images: 0, failure: "compose.yml: cannot read"),
                ],
                images: [
                    InventoryImage(
                        reference: try ImageReference(parsing: "reg.io/shop/web:1.4"), seenAt: ["k8s;prod;shop;Deployment/web"], lastWanted: wanted,
                        sources: ["k8s"]),
                    InventoryImage(
                        reference: try ImageReference(parsing: "nginx@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
                        seenAt: ["k8s;prod;web;Pod/nginx-1", "static;list.txt"], sources: ["k8s", "static"]
                    ),
                    InventoryImage(reference: try ImageReference(parsing: "[::1]:5000/a/b:t"), seenAt: ["compose;é.yml;svc"], sources: ["compose"]),
                ]
            ),
        ]
        return try inventories.enumerated().map { index, inventory in
            let path = directory.appendingPathComponent("seed\(index).json").path
            try InventoryFile.write(inventory, to: path)
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
    }

    /// Field by field (Inventory is not Equatable).
    static func same(_ a: Inventory, _ b: Inventory) -> Bool {
        a.format == b.format && a.version == b.version && a.generatedAt == b.generatedAt && a.sources == b.sources && a.images == b.images
    }
}
