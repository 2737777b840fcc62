import Foundation
import Testing

@testable import EvictorCore

/// The fast manifest and config reader against JSONDecoder: wherever the reader reads a document it gives
/// exactly JSONDecoder's fields, it reads the manifests registries serve (so the fast path is
/// the one taken), and it leaves to JSONDecoder whatever it does not fully understand.
@Suite("JSONFieldReader: JSONDecoder's fields of manifests and configs, faster")
struct ManifestJSONReaderTests {
    /// nil when the reader agrees with JSONDecoder on `input` (or leaves it to JSONDecoder).
    static func disagreement(_ input: [UInt8]) -> String? {
        guard let fast = JSONFieldReader.read(input, { $0.manifest() }) else { return nil }
        guard let slow = try? Manifest.decodeRaw(input) else {
            return "the reader accepts what JSONDecoder refuses: \(Fuzz.preview(input))"
        }
        return fast == slow ? nil : "fields differ for \(Fuzz.preview(input)): \(fast) vs \(slow)"
    }

    @Test("every seed manifest is read by the reader itself, with JSONDecoder's fields")
    func seeds() throws {
        for seed in ManifestSeeds.all + Self.extra {
            let bytes = Array(seed.utf8)
            let fast = JSONFieldReader.read(bytes, { $0.manifest() })
            #expect(fast != nil, "not read: \(seed.prefix(60))")
            #expect(fast == (try Manifest.decodeRaw(bytes)))
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
            #"{"schemaVersion": 2, "history": ["\ud83d\ude00"]}"#,
            #"{"schemaVersion": 2, "history": ["\x"]}"#,
            "[]", "", "{", "\u{FEFF}{}",
        ] {
            #expect(JSONFieldReader.read(Array(text.utf8), { $0.manifest() }) == nil, "\(text.prefix(80))")
        }
        #expect(
            JSONFieldReader.read(
                [UInt8(ascii: "{"), UInt8(ascii: "\""), 0xFF, UInt8(ascii: "\""), UInt8(ascii: ":"), 1, UInt8(ascii: "}")], { $0.manifest() }) == nil
        )
    }

    @Test("fields the reader skips (unknown keys with any JSON value) and nulls read as JSONDecoder reads them")
    func skipsAndNulls() throws {
        let d = ManifestSeeds.digest("y")
        let text = """
             { "x": [1, -2.5e+3, true, false, null, {"a": [{}], "b": ""}, []], "schemaVersion": 2, "mediaType": null,
               "history": [{"created_by": "/bin/sh -c \\"echo \\u00e9 \\/ \\\\ \\t\\" ü"}],
               "config": {"mediaType": "c", "digest": "\(d)", "size": 0, "platform": null, "extra": {"y": -0}},
               "layers": [], "subject": null, "annotations": {}, "manifests": null }\t\r\n
            """
        let bytes = Array(text.utf8)
        let fast = try #require(JSONFieldReader.read(bytes, { $0.manifest() }))
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

    // MARK: - Image configs

    /// nil when the reader agrees with JSONDecoder on the config `input` (or leaves it).
    static func configDisagreement(_ input: [UInt8]) -> String? {
        guard let fast = JSONFieldReader.read(input, { $0.imageConfig() }) else { return nil }
        guard let slow = ImageConfig.decodeRaw(input) else { return "the reader accepts a config JSONDecoder refuses: \(Fuzz.preview(input))" }
        return fast == slow ? nil : "config fields differ for \(Fuzz.preview(input)): \(fast) vs \(slow)"
    }

    static let configs = [
        #"""
        {"architecture":"amd64","config":{"Env":["PATH=/usr/bin","A=\"b\""],"Cmd":["sh"],"Labels":{"org.opencontainers.image.version":"1.2","x":"é"}},
        "created":"2024-05-01T10:00:00.123456789Z","history":[{"created":"2024-05-01T10:00:00Z","created_by":"/bin/sh -c #(nop) CMD [\"sh\"]",
        "empty_layer":true}],"os":"linux",
        "rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}
        """#,
        #"{"architecture":"arm64","variant":"v8","os":"linux","config":{"Labels":null},"created":null}"#,
        #"{"os":"windows","architecture":"amd64","os.version":"10.0.17763.1","config":{}}"#,
    ]

    @Test("configs: read by the reader itself (history escapes and all), with JSONDecoder's fields; ImageConfig the same")
    func configSeeds() throws {
        for seed in Self.configs {
            let bytes = Array(seed.utf8)
            let fast = JSONFieldReader.read(bytes, { $0.imageConfig() })
            #expect(fast != nil, "not read: \(seed.prefix(60))")
            #expect(fast == ImageConfig.decodeRaw(bytes))
        }
        let parsed = ImageConfig.parse(Array(Self.configs[0].utf8))
        #expect(parsed.labels == ["org.opencontainers.image.version": "1.2", "x": "é"])
        #expect(parsed.platform == Platform(architecture: "amd64", os: "linux", variant: nil))
        #expect(parsed.created != nil)
        #expect(ImageConfig.parse(Array(#"{"config":{"Labels":{"a":1}}}"#.utf8)) == .empty)
    }

    @Test("configs mutated, cut short and with bytes replaced: the reader agrees with JSONDecoder or leaves it")
    func configMutations() {
        let seeds = Self.configs.map { Array($0.utf8) }
        let outcome = Fuzz.run("JSONFieldReader.imageConfig") { g in
            Self.configDisagreement(JSONMutator.mutate(g.pick(seeds), &g))
        }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
        for seed in seeds {
            for end in 0..<seed.count { #expect(Self.configDisagreement(Array(seed[..<end])) == nil, "prefix of \(end) bytes") }
            for position in stride(from: 0, to: seed.count, by: 2) {
                for byte in [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "}"), UInt8(ascii: "u"), 0x00, 0xC3] {
                    var changed = seed
                    changed[position] = byte
                    #expect(Self.configDisagreement(changed) == nil, "byte \(position) -> \(byte)")
                }
            }
        }
    }

    /// Shapes the seeds lack: a platform with variant and extra fields, a subject, schema1 layers.
    static let extra = [
        """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",\
        "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
        "digest":"\(ManifestSeeds.digest("a"))","size":7,\
        "platform":{"architecture":"arm","os":"linux","variant":"v7","os.features":["x"],"os.version":"1"},\
        "annotations":{"k":"v","ü":"é"}}],\
        "subject":{"mediaType":"m","digest":"\(ManifestSeeds.digest("s"))","size":3,"artifactType":"t"},\
        "artifactType":"application/example"}
        """,
        """
        {"schemaVersion":1,"name":"a","tag":"b","architecture":"amd64","fsLayers":[{"blobSum":"\(ManifestSeeds.digest("l"))"}],\
        "history":[{"v1Compatibility":"{}"}]}
        """,
    ]
}
