import EvictorCore
import Foundation
import Testing

@Suite("plan actions in files")
struct PlanActionCodingTests {
    static let digest = "sha256:" + String(repeating: "a", count: 64)
    static let other = "sha256:" + String(repeating: "b", count: 64)

    static func json(expected: String) -> Data {
        Data(
            """
            {"digest":"\(digest)","expected":\(expected),"media_type":"application/vnd.oci.image.manifest.v1+json",\
            "phase":2,"reasons":["old"],"repository":"team/app","size":10,"tags":["v1","v2"]}
            """.utf8)
    }

    @Test("expected: every tag at the action's digest unless the file says otherwise; written back as read")
    func expectedRoundTrip() throws {
        let decoder = VersionedDocument.decoder()
        let encoder = VersionedDocument.encoder(pretty: false)
        let plain = try decoder.decode(Plan.Action.self, from: Self.json(expected: #"{"v1":"\#(Self.digest)","v2":"\#(Self.digest)"}"#))
        #expect(plain.expected == ["v1": try Digest(parsing: Self.digest), "v2": try Digest(parsing: Self.digest)])
        #expect(plain.expectedDigest(ofTag: "v2").description == Self.digest)
        #expect(
            plain
                == Plan.Action(
                    repository: "team/app", digest: try Digest(parsing: Self.digest), mediaType: plain.mediaType,
                    tags: ["v1", "v2"], reasons: ["old"], size: 10, phase: 2))

        let moved = try decoder.decode(Plan.Action.self, from: Self.json(expected: #"{"v1":"\#(Self.digest)","v2":"\#(Self.other)"}"#))
        #expect(moved.expectedDigest(ofTag: "v1").description == Self.digest)
        #expect(moved.expectedDigest(ofTag: "v2").description == Self.other)
        #expect(moved != plain)
        let again = try decoder.decode(Plan.Action.self, from: try encoder.encode(moved))
        #expect(again == moved && again.expected == moved.expected)

        // A file listing a tag twice is read, not a crash.
        let twice = Data(
            String(decoding: Self.json(expected: "{}"), as: UTF8.self).replacingOccurrences(of: #"["v1","v2"]"#, with: #"["v1","v1"]"#).utf8)
        let duplicate = try decoder.decode(Plan.Action.self, from: twice)
        #expect(duplicate.expectedDigest(ofTag: "v1").description == Self.digest)
        #expect(throws: (any Error).self) { try decoder.decode(Plan.Action.self, from: Data(#"{"digest":"\#(Self.digest)"}"#.utf8)) }
    }
}
