import EvictorScripting
import EvictorTestSupport
import Foundation
import LuaRuntime
import Testing

@Suite("built-in policies and the policy test runner")
struct PolicyTests {
    static var pluginPath: PluginPath { PluginPath(directories: [Fixtures.url("plugins").path]) }

    @Test("every built-in policy passes its own _test.lua", arguments: ["in-use", "keep-last", "untagged", "age", "pulled-within"])
    func builtIn(name: String) async throws {
        let results = try await PolicyTestRunner.run(
            testFile: Fixtures.url("policies/\(name)_test.lua").path, pluginPath: Self.pluginPath, log: { _, _ in })
        #expect(results.count >= 5)
        for result in results { #expect(result.passed, "\(result.name): \(result.failure ?? "")") }
    }

    @Test("a wrong expectation fails, naming the tags that differ")
    func wrongExpectationFails() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: Fixtures.url("policies/age.lua"), to: directory.appendingPathComponent("age.lua"))
        let test = directory.appendingPathComponent("age_test.lua")
        try """
        return evictor.policy_test {
          policy = "age.lua",
          cases = {
            { name = "wrong on purpose", options = { days = 10 }, now = "2024-01-31T00:00:00Z",
              repository = { name = "a", tags = { { name = "old", created = "2024-01-01T00:00:00Z" } } },
              expect = { keep = { "old" }, delete = {} } },
          },
        }
        """.write(to: test, atomically: true, encoding: .utf8)
        let results = try await PolicyTestRunner.run(testFile: test.path, pluginPath: Self.pluginPath, log: { _, _ in })
        #expect(results.count == 1)
        #expect(results.first?.failure?.contains("unexpected [\"old\"]") == true, "\(results.first?.failure ?? "passed")")
    }

    @Test("evictor.regex and evictor.semver from Lua; an invalid pattern names the caller's line")
    func helpers() async throws {
        let engine = try LuaEngine()
        try await engine.withVM { vm in try EvictorScripting.installAPI(in: vm) }
        let chunk = try await engine.load(
            string: """
                local re = evictor.regex.compile("^v(\\\\d+)\\\\.(\\\\d+)")
                local found = re:find("v1.20-rc")
                assert(re:match("v3.4") and not re:match("x3.4"))
                assert(evictor.semver.compare("v1.2", "1.10.0") == -1)
                assert(evictor.semver.parse("latest") == nil)
                return found[2], found[3]
                """, chunkName: "=helpers.lua")
        let values = try await engine.call(chunk)
        #expect(values.map(\.stringValue) == ["1", "20"])
        let bad = try await engine.load(string: "local x = 1\nlocal re = evictor.regex.compile(\"(\")\nreturn re", chunkName: "=bad.lua")
        await #expect(throws: LuaError.self) { try await engine.call(bad) }
        do {
            _ = try await engine.call(bad)
        } catch let error as LuaError {
            #expect(error.description.hasPrefix("bad.lua:2: evictor.regex.compile: invalid regular expression"), "\(error)")
        }
    }
}
