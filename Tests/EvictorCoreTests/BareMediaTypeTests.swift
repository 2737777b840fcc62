import Testing
@testable import EvictorCore

@Suite("Content-Type to media type")
struct BareMediaTypeTests {
    @Test("parameters and blanks dropped, lower-cased; nothing left is empty")
    func bare() {
        #expect(Manifest.bareMediaType("application/vnd.oci.image.manifest.v1+json") == "application/vnd.oci.image.manifest.v1+json")
        #expect(Manifest.bareMediaType(" Application/JSON ; charset=utf-8") == "application/json")
        #expect(Manifest.bareMediaType("\tapplication/x\t") == "application/x")
        #expect(Manifest.bareMediaType("; charset=utf-8") == "")
        #expect(Manifest.bareMediaType("   ") == "")
        #expect(Manifest.bareMediaType("") == "")
    }
}
