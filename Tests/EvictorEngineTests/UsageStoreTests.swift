import EvictorCore
@testable import EvictorEngine
import Foundation
import Testing

/// The usage store and the notification envelope, without a registry.
@Suite("usage store")
struct UsageStoreTests {
    static let digest = "sha256:" + String(repeating: "a", count: 64)

    static func envelope(_ events: [(id: String, action: String, method: String, agent: String, mediaType: String)]) -> Data {
        let items = events.map { event in
            """
            {"id":"\(event.id)","timestamp":"2026-11-30T10:00:00.5Z","action":"\(event.action)","target":{"mediaType":"\(event.mediaType)",\
            "digest":"\(digest)","repository":"shop/app","tag":"v1"},"request":{"id":"r-\(event.id)","method":"\(event.method)",\
            "useragent":"\(event.agent)"}}
            """
        }
        return Data("{\"events\":[\(items.joined(separator: ","))]}".utf8)
    }

    @Test("GETs are pulls; HEADs, blobs and Evictor's own requests are not; a replay counts once; facts come back")
    func recordAndReplay() throws {
        let manifest = "application/vnd.oci.image.manifest.v1+json"
        let body = Self.envelope([
            ("1", "push", "PUT", "skopeo/1.9", manifest), ("2", "pull", "GET", "skopeo/1.9", manifest),
            ("3", "pull", "HEAD", "curl/8", manifest), ("4", "pull", "GET", "skopeo/1.9", "application/octet-stream"),
            ("5", "pull", "GET", "evictor/1.0", manifest), ("6", "pull", "GET", "containerd/2", manifest),
        ])
        let parsed = try NotificationEnvelope.parse(body)
        #expect(parsed.events.map(\.key) == ["event:1", "request:r-2", "request:r-6"])
        #expect(parsed.ignored == 3)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("usage-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = try UsageStore(path: path)
        #expect(try store.record(parsed.events, registry: "main") == UsageStore.Recorded(recorded: 3, duplicates: 0))
        #expect(try store.record(parsed.events, registry: "main") == UsageStore.Recorded(recorded: 0, duplicates: 3))
        let facts = try #require(try store.facts(registry: "main", repository: "shop/app")[Digest(parsing: Self.digest)])
        #expect(facts.pullCount == 2 && facts.lastPulled != nil && facts.pushed != nil)
        #expect(try store.since(registry: "main") == Timestamp.parse("2026-11-30T10:00:00.5Z"))
        #expect(try store.manifests(registry: "main").first?.tags == ["v1"])
        #expect(try store.dailyPulls(registry: "main") == ["20261130": 2])
        // Read-only, as a plan opens it.
        #expect(try UsageStore(readingAt: path).facts(registry: "main", repository: "shop/app").count == 1)
        #expect(throws: (any Error).self) { try UsageStore(readingAt: path + ".missing") }
    }

    @Test("malformed bodies are refused whole")
    func malformed() {
        for body in ["", "[]", "{\"events\": 3}", "{\"events\": [{\"id\": \"x\"}]}", "not json"] {
            #expect(throws: NotificationEnvelope.Invalid.self) { try NotificationEnvelope.parse(Data(body.utf8)) }
        }
    }

    @Test("days are UTC calendar days")
    func days() {
        for seconds in [0.0, 951_782_400, 951_868_799, 1_796_083_200, 4_107_542_400, -86_400] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UsageStore.day(date) == String(UTCStamp.string(date).prefix(8)), "\(seconds)")
        }
    }
}
