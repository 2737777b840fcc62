import EvictorCore
import EvictorScripting
import EvictorTestSupport
import Foundation
import LuaRuntime
import Testing

@Suite("plugins/types/evictor.d.lua matches the real API")
struct TypeDefinitionTests {
    @Test("every declared function exists, every API function is declared")
    func inStep() async throws {
        let text = try String(contentsOf: Fixtures.url("plugins/types/evictor.d.lua"), encoding: .utf8)
        var declared: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("function evictor.") {
            let name = line.dropFirst("function ".count).prefix { $0 != "(" }
            declared.insert(String(name))
        }
        let actual = try await EvictorScripting.apiFunctionNames()
        #expect(!actual.isEmpty)
        #expect(declared == actual, "undeclared: \(actual.subtracting(declared).sorted()), stale: \(declared.subtracting(actual).sorted())")
    }

    static func definitions() throws -> String {
        try String(contentsOf: Fixtures.url("plugins/types/evictor.d.lua"), encoding: .utf8)
    }

    /// The type declared for `field` in `---@class NAME`.
    static func declaredType(of field: String, in className: String, _ text: String) -> String? {
        var inClass = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("---@class ") { inClass = line.dropFirst("---@class ".count).split(separator: " ").first == Substring(className) }
            guard inClass, line.hasPrefix("---@field \(field) ") else { continue }
            return line.dropFirst("---@field \(field) ".count).split(separator: " ").first.map(String.init)
        }
        return nil
    }

    @Test("Tag.created and Manifest.created are declared as the type decide really gets")
    func createdType() async throws {
        let text = try Self.definitions()
        let policy = """
            return evictor.policy { name = "probe", decide = function(repo)
              local function kind(value) return math.type(value) == "float" and "number" or math.type(value) end
              repo.tags[1]:keep(kind(repo.tags[1].created))
              repo.untagged[1]:keep(kind(repo.untagged[1].created))
            end }
            """
        try await withPlugins(["probe.lua": policy]) { path, root in
            let plugin = try await PolicyPlugin.load(file: root.appendingPathComponent("probe.lua").path, pluginPath: path, log: quiet)
            let tag = Digest.sha256(of: Array("tag".utf8))
            let loose = Digest.sha256(of: Array("loose".utf8))
            let created = Date(timeIntervalSince1970: 1_700_000_000)
            let snapshot = RepositorySnapshot(
                name: "r", tags: [TagRecord(name: "v1", digest: tag)],
                images: [
                    tag: ImageRecord(digest: tag, mediaType: "application/vnd.oci.image.manifest.v1+json", created: created),
                    loose: ImageRecord(digest: loose, mediaType: "application/vnd.oci.image.manifest.v1+json", created: created),
                ], untagged: [loose])
            let verdicts = try await PolicyRunner.decide(
                plugin, snapshot: snapshot, context: PolicyContext(options: .table(LuaTable()), registry: "r.io", inventory: nil))
            let tagType = try #require(verdicts.tags["v1"]?.first?.reason)
            let manifestType = try #require(verdicts.untagged[loose]?.first?.reason)
            #expect(Self.declaredType(of: "created", in: "evictor.Tag", text) == "\(tagType)|nil")
            #expect(Self.declaredType(of: "created", in: "evictor.Manifest", text) == "\(manifestType)|nil")
        }
    }

    @Test("the evictor.semver.parse examples in the type definitions hold")
    func semverExamples() async throws {
        let text = try Self.definitions()
        var examples: [(String, String)] = []
        for line in text.split(separator: "\n") where line.hasPrefix("---  \"") {
            let parts = line.dropFirst("---  ".count).components(separatedBy: " -> ")
            guard parts.count == 2 else { continue }
            let input = parts[0].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            examples.append((input, parts[1].trimmingCharacters(in: .whitespaces)))
        }
        #expect(examples.count >= 10)
        #expect(examples.contains { $0.0 == "3.18" } && examples.contains { $0.0 == "v0.3.0" })
        let engine = try LuaEngine()
        try await engine.withVM { vm in try EvictorScripting.installAPI(in: vm) }
        let chunk = try await engine.load(
            string: """
                local v = evictor.semver.parse(...)
                if v == nil then return "nil" end
                return string.format("%d.%d.%d", v.major, v.minor, v.patch) .. (v.prerelease and ("-" .. v.prerelease) or "")
                  .. (v.build and ("+" .. v.build) or "")
                """, chunkName: "=semver.lua")
        for (input, expected) in examples {
            let result = try await engine.call(chunk, [.string(LuaString(input))]).first?.stringValue
            #expect(result == expected, "evictor.semver.parse(\"\(input)\")")
        }
    }
}
