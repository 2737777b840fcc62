import Foundation
import Testing

@testable import EvictorCore

/// The fast manifest reader against JSONDecoder: wherever the reader reads a document it gives
/// exactly JSONDecoder's fields, it reads the manifests registries serve (so the fast path is
/// the one taken), and it leaves to JSONDecoder whatever it does not fully understand.
@Suite("ManifestJSONReader: JSONDecoder's fields, faster")
struct ManifestJSONReaderTests {
    /// nil when the reader agrees with JSONDecoder on `input` (or leaves it to JSONDecoder).
    static func disagreement(_ input: [UInt8]) -> String? {
        guard let fast = ManifestJSONReader.read(input) else { return nil }
        guard let slow = try? Manifest.decodeRaw(input) else {
            return "the reader accepts what JSONDecoder refuses: \(Fuzz.preview(input))"
        }
        return fast == slow ? nil : "fields differ for \(Fuzz.preview(input)): \(fast) vs \(slow)"
    }

    @Test("every seed manifest without escapes is read by the reader itself, with JSONDecoder's fields")
    func seeds() throws {
        for seed in ManifestSeeds.all + Self.extra {
            let bytes = Array(seed.utf8)
            let fast = ManifestJSONReader.read(bytes)
            if seed.contains("\\") {
                #expect(fast == nil, "escapes are left to JSONDecoder: \(seed.prefix(60))")
            } else {
                #expect(fast != nil, "not read: \(seed.prefix(60))")
                #expect(fast == (try Manifest.decodeRaw(bytes)))
            }
        }
    }

    @Test("what the reader leaves to JSONDecoder: escapes, fractions, duplicates, wrong types, trailing bytes, deep nesting")
    func leftToJSONDecoder() {
        let d = ManifestSeeds.digest("x")
        for text in [
            #"{"schemaVersion": 2, "mediaType": "a\/b", "config": {"digest": "\#(d)", "size": 1}}"#,
            #"{"schemaVersion": 2.0, "config": {"digest": "\#(d)", "size": 1}}"#,
            #"{"schemaVersion": 2, "config": {"digest": "\#(d)", "size": 1e3}}"#,
            #"{"schemaVersion": 2, "schemaVersion": 2, "config": {"digest": "\#(d)", "size": 1}}"#,
            #"{"schemaVersion": "2", "config": {"digest": "\#(d)", "size": 1}}"#,
            #"{"schemaVersion": 2, "config": {"digest": "\#(d)", "size": 1}} x"#,
            #"{"schemaVersion": 2, "config": {"digest": null, "size": 1}}"#,
            #"{"schemaVersion": 2, "config": {"size": 1}}"#,
            #"{"schemaVersion": 2, "config": {"digest": "\#(d)", "size": 99999999999999999999}}"#,
            #"{"schemaVersion": 2, "annotations": {"a": 1}}"#,
            "{\"schemaVersion\": 2, \"x\": " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}",
            #"{"schemaVersion": 02}"#,
            "[]", "", "{", "\u{FEFF}{}",
        ] {
            #expect(ManifestJSONReader.read(Array(text.utf8)) == nil, "\(text.prefix(80))")
        }
        #expect(
            ManifestJSONReader.read([UInt8(ascii: "{"), UInt8(ascii: "\""), 0xFF, UInt8(ascii: "\""), UInt8(ascii: ":"), 1, UInt8(ascii: "}")]) == nil
        )
    }

    @Test("fields the reader skips (unknown keys with any JSON value) and nulls read as JSONDecoder reads them")
    func skipsAndNulls() throws {
        let d = ManifestSeeds.digest("y")
        let text = """
             { "x": [1, -2.5e+3, true, false, null, {"a": [{}], "b": ""}, []], "schemaVersion": 2, "mediaType": null,
               "config": {"mediaType": "c", "digest": "\(d)", "size": 0, "platform": null, "extra": {"y": -0}},
               "layers": [], "subject": null, "annotations": {}, "manifests": null }\t\r\n
            """
        let bytes = Array(text.utf8)
        let fast = try #require(ManifestJSONReader.read(bytes))
        #expect(fast == (try Manifest.decodeRaw(bytes)))
        #expect(fast.config?.digest == d && fast.mediaType == nil && fast.layers == [] && fast.annotations == [:])
    }

    @Test("mutated manifests: where the reader reads one, JSONDecoder reads the same fields")
    func mutations() {
        let seeds = (ManifestSeeds.all + Self.extra).map { Array($0.utf8) }
        let outcome = Fuzz.run("ManifestJSONReader") { g in
            Self.disagreement(JSONMutator.mutate(g.pick(seeds), &g))
        }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
        #expect(outcome.inputs > 50)
    }

    @Test("every prefix of a manifest, and every byte replaced: the reader agrees with JSONDecoder or leaves it")
    func truncationsAndBytes() {
        for seed in (ManifestSeeds.all + Self.extra).map({ Array($0.utf8) }) {
            for end in 0..<seed.count {
                let prefix = Array(seed[..<end])
                #expect(Self.disagreement(prefix) == nil, "prefix of \(end) bytes")
            }
            for position in stride(from: 0, to: seed.count, by: 3) {
                for byte in [UInt8(ascii: "\""), UInt8(ascii: "}"), UInt8(ascii: "1"), UInt8(ascii: ","), 0x00, 0xC3] {
                    var changed = seed
                    changed[position] = byte
                    #expect(Self.disagreement(changed) == nil, "byte \(position) -> \(byte)")
                }
            }
        }
    }

    /// Shapes the seeds lack: a platform with variant and extra fields, a subject, schema1 layers.
    static let extra = [
        """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
        "digest":"\(ManifestSeeds.digest("a"))","size":7,"platform":{"architecture":"arm","os":"linux","variant":"v7","os.features":["x"],"os.version":"1"},\
        "annotations":{"k":"v","ü":"é"}}],"subject":{"mediaType":"m","digest":"\(ManifestSeeds.digest("s"))","size":3,"artifactType":"t"},\
        "artifactType":"application/example"}
        """,
        """
        {"schemaVersion":1,"name":"a","tag":"b","architecture":"amd64","fsLayers":[{"blobSum":"\(ManifestSeeds.digest("l"))"}],"history":[{"v1Compatibility":"{}"}]}
        """,
    ]
}
