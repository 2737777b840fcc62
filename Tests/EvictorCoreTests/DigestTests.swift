import Foundation
import EvictorCore
import Testing

@Suite("Digests")
struct DigestTests {
    @Test("sha256 of known vectors")
    func knownVectors() {
        #expect(Digest.sha256(of: Array("abc".utf8)).description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha256(of: [UInt8]()).description == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("parses and verifies")
    func parseAndVerify() throws {
        let digest = try Digest(parsing: "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest.algorithm == "sha256")
        #expect(digest.matches(Array("abc".utf8)))
        #expect(!digest.matches(Array("abd".utf8)))
    }

    @Test(
        "refuses what is not a digest",
        arguments: [
            "", "sha256", "sha256:", "md5:900150983cd24fb0d6963f7d28e17f72",
            "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015adx",
            "sha256:zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            " sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ])
    func refuses(_ text: String) {
        #expect(throws: EvictorCoreError.invalidDigest(text)) { try Digest(parsing: text) }
    }
}

@Suite("streaming file digests")
struct FileDigestTests {
    @Test("a file larger than one chunk hashes like its bytes; a missing file is nil")
    func fileDigest() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = (0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: url)
        #expect(Digest.sha256(ofFileAt: url.path) == Digest.sha256(of: bytes))
        #expect(Digest.sha256(ofFileAt: url.path + ".missing") == nil)
    }
}

@Suite("digest storage")
struct DigestStorageTests {
    @Test("text round trip and ordering equal the text forms' for random sha256 and sha512 digests")
    func roundTripAndOrder() throws {
        var generator = SystemRandomNumberGenerator()
        var digests: [Digest] = []
        for index in 0..<500 {
            let length = index % 3 == 0 ? 128 : 64
            let hex = String((0..<length).map { _ in "0123456789abcdef".randomElement(using: &generator) ?? "0" })
            let text = (length == 128 ? "sha512:" : "sha256:") + hex
            let digest = try Digest(parsing: text)
            #expect(digest.description == text)
            #expect(digest.hex == hex)
            digests.append(digest)
        }
        #expect(digests.sorted().map(\.description) == digests.map(\.description).sorted())
        let bytes = Array("evictor".utf8)
        #expect(Digest.sha256(of: bytes).matches(bytes))
        #expect(!Digest.sha256(of: bytes).matches(Array("evicted".utf8)))
        #expect(Digest.sha256(of: bytes).description == "sha256:" + Sha256Reference.hex(bytes))
    }
}

/// Digest text of known input, computed independently of `Digest`.
enum Sha256Reference {
    static func hex(_ bytes: [UInt8]) -> String {
        // sha256("evictor"), from `printf evictor | sha256sum`.
        bytes == Array("evictor".utf8) ? "aa1ff77c8d77da8a05bf2e53d57f9f663110e51c3d95780a1003149cde157a16" : ""
    }
}
