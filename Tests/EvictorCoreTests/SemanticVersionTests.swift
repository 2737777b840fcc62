import EvictorCore
import Testing

@Suite("semantic versions as tags use them")
struct SemanticVersionTests {
    @Test("parsing: v prefix, partial versions, prerelease and build")
    func parsing() throws {
        let full = try #require(SemanticVersion("v1.2.3-rc.1+build.5"))
        #expect((full.major, full.minor, full.patch) == (1, 2, 3))
        #expect(full.prerelease == "rc.1")
        #expect(full.build == "build.5")
        #expect(SemanticVersion("1.2")?.patch == 0)
        for bad in ["", "v", "1.2.3.4", "01.2.3", "1..2", "latest", "1.2.3-", "1.2.3-01", "1.2.x"] {
            #expect(SemanticVersion(bad) == nil, "\(bad)")
        }
    }

    @Test("ordering follows semver 2.0")
    func ordering() throws {
        let order = [
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
            "1.10.0", "2.0.0",
        ]
        let versions = try order.map { try #require(SemanticVersion($0)) }
        for (lower, higher) in zip(versions, versions.dropFirst()) {
            #expect(lower < higher, "\(lower) < \(higher)")
        }
        #expect(SemanticVersion("1.0.0+a") == SemanticVersion("1.0.0+b"))
    }
}
