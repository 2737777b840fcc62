import EvictorCore
import Foundation
import Testing

@Suite("Image references follow the distribution grammar")
struct ImageReferenceTests {
    @Test(
        "normalisation",
        arguments: [
            ("nginx", "docker.io/library/nginx"),
            ("nginx:1.25", "docker.io/library/nginx:1.25"),
            ("library/nginx", "docker.io/library/nginx"),
            ("bitnami/redis:7", "docker.io/bitnami/redis:7"),
            ("docker.io/nginx", "docker.io/library/nginx"),
            ("index.docker.io/library/nginx:latest", "docker.io/library/nginx:latest"),
            ("registry.example.com:5000/shop/web:1.4.0", "registry.example.com:5000/shop/web:1.4.0"),
            ("Registry.Example.com/shop/web", "registry.example.com/shop/web"),
            ("localhost/app", "localhost/app"),
            ("localhost:5000/app:v1", "localhost:5000/app:v1"),
            ("127.0.0.1:5000/a/b/c:tag_1.2-x", "127.0.0.1:5000/a/b/c:tag_1.2-x"),
            ("[::1]:5000/app", "[::1]:5000/app"),
            (
                "quay.io/org/app@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "quay.io/org/app@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            ),
            (
                "reg.io/app:v1@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "reg.io/app:v1@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            ),
            ("ab__c-d--e/f.g_h", "docker.io/ab__c-d--e/f.g_h"),
            ("UPPER/case", "UPPER/case"),
            ("Reg.Example.COM/case", "reg.example.com/case"),
        ])
    func normalises(_ input: String, _ expected: String) throws {
        #expect(try ImageReference(parsing: input).description == expected)
    }

    @Test("parts")
    func parts() throws {
        let reference = try ImageReference(parsing: "registry.example.com:5000/shop/web:1.4.0")
        #expect(reference.domain == "registry.example.com:5000")
        #expect(reference.path == "shop/web")
        #expect(reference.tag == "1.4.0")
        #expect(reference.digest == nil)
        #expect(reference.name == "registry.example.com:5000/shop/web")
    }

    @Test(
        "refusals",
        arguments: [
            "", " nginx", "nginx ", "docker.io/Library/nginx", "nginx:", "nginx:-bad", "nginx:" + String(repeating: "t", count: 129),
            "nginx@sha256:short", "nginx@md5:900150983cd24fb0d6963f7d28e17f72", ":tag",
            "@sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "reg.io//app", "reg.io/app/", "/app", "reg.io/-app", "reg.io/app-", "reg.io/a...b", "reg.io/a___b", "-reg.io/app",
            "reg.io:0/app", "reg.io:99999/app", "reg.io:port/app", "re_g.io/app", "a\u{0}b", "nginx\nrm -rf", "ngínx",
            "reg.io/" + String(repeating: "a", count: 250),
        ])
    func refuses(_ input: String) {
        #expect(throws: EvictorCoreError.self) { try ImageReference(parsing: input) }
    }

    @Test("registry matching with aliases")
    func registryMatching() throws {
        let reference = try ImageReference(parsing: "registry.example.com:5000/shop/web:1.4.0")
        #expect(reference.isOnRegistry("registry.example.com:5000"))
        #expect(reference.isOnRegistry("Registry.Example.COM:5000"))
        #expect(!reference.isOnRegistry("registry.example.com"))
        #expect(!reference.isOnRegistry("127.0.0.1:5000"))
        #expect(reference.isOnRegistry("127.0.0.1:5000", aliases: ["registry.example.com:5000"]))
        #expect(reference.isOnRegistry("127.0.0.1:5000", aliases: ["https://registry.example.com:5000/"]))
        #expect(try ImageReference(parsing: "nginx").isOnRegistry("index.docker.io"))
    }

    @Test("an error names the reference and the reason on one line")
    func errorText() {
        let error = #expect(throws: EvictorCoreError.self) { try ImageReference(parsing: "Shop/Web:1.0") }
        #expect(error?.description == "invalid image reference 'Shop/Web:1.0': repository name must be lower-case")
        let control = #expect(throws: EvictorCoreError.self) { try ImageReference(parsing: "a\nb") }
        #expect(control?.description.contains("\n") == false)
    }
}

@Suite("Inventories merge sightings and are written atomically")
struct InventoryTests {
    func image(_ text: String, _ seen: String, _ source: String, _ wanted: Date? = nil) throws -> InventoryImage {
        InventoryImage(reference: try ImageReference(parsing: text), seenAt: [seen], lastWanted: wanted, sources: [source])
    }

    @Test("the same reference from two sources is one entry with both sightings")
    func merge() throws {
        let early = Date(timeIntervalSince1970: 1_000)
        let late = Date(timeIntervalSince1970: 2_000)
        var inventory = Inventory(images: [try image("reg.io/a:1", "k8s;prod;ns;Pod/x", "k8s", early)])
        inventory.add([try image("reg.io/a:1", "compose;f.yml;web", "compose", late), try image("reg.io/b:2", "static;list", "static")])
        #expect(inventory.images.count == 2)
        let a = try #require(inventory.images.first)
        #expect(a.seenAt == ["compose;f.yml;web", "k8s;prod;ns;Pod/x"])
        #expect(a.sources == ["compose", "k8s"])
        #expect(a.lastWanted == late)
        #expect(inventory.images(onRegistry: "reg.io").count == 2)
        #expect(inventory.images(onRegistry: "other.io").isEmpty)
    }

    @Test("write then read gives the same inventory; broken files are one clear error")
    func roundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-inv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("images.json").path
        let inventory = Inventory(
            generatedAt: Date(timeIntervalSince1970: 1_700_000_000),
            sources: [InventorySourceSummary(name: "static", images: 1)],
            images: [try image("reg.io/a:1", "static;x", "static", Date(timeIntervalSince1970: 1_700_000_000))]
        )
        try InventoryFile.write(inventory, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(#""format" : "evictor-inventory""#))
        #expect(text.contains(#""seen_at""#))
        let back = try InventoryFile.read(path)
        #expect(back.images == inventory.images)
        #expect(back.sources == inventory.sources)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["images.json"])

        try Data(text.prefix(text.count / 2).utf8).write(to: URL(fileURLWithPath: path))
        let truncated = #expect(throws: EvictorCoreError.self) { try InventoryFile.read(path) }
        #expect(truncated?.description.hasPrefix("\(path): invalid inventory:") == true)
        try Data(#"{"some": "other json"}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: EvictorCoreError.self) { try InventoryFile.read(path) }
        try Data(
            (#"{"format":"evictor-inventory","version":1,"generated_at":"2024-01-01T00:00:00Z","sources":[],"#
                + #""images":[{"reference":"BAD REF","seen_at":[],"sources":[]}]}"#)
                .utf8
        ).write(to: URL(fileURLWithPath: path))
        let badReference = #expect(throws: EvictorCoreError.self) { try InventoryFile.read(path) }
        #expect(badReference?.description.contains("images[0].reference") == true)
        #expect(throws: EvictorCoreError.self) { try InventoryFile.read(directory.appendingPathComponent("missing.json").path) }
    }
}
