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

    @Test("every built-in source with a _test.lua passes it, against recorded files and variables", arguments: ["static", "compose"])
    func builtInSource(name: String) async throws {
        let results = try await SourceTestRunner.run(
            testFile: Fixtures.url("plugins/sources/\(name)_test.lua").path, pluginPath: Self.pluginPath, log: { _, _ in })
        #expect(results.count >= 4)
        for result in results { #expect(result.passed, "\(result.name): \(result.failure ?? "")") }
    }

    @Test("a source test fails on a wrong expectation and on a command it did not record")
    func sourceTestFails() async throws {
        try await withPlugins([
            "sources/run.lua": """
            return evictor.source { name = "run", capabilities = { run = { "lister" } }, collect = function(opts, host)
              local out = host.run({ "lister", "--all" })
              local images = {}
              for line in out.stdout:gmatch("[^\\n]+") do images[#images + 1] = { image = line } end
              return images
            end }
            """,
            "sources/run_test.lua": """
            return evictor.source_test { source = "run.lua", cases = {
              { name = "right", commands = { { argv = { "lister", "--all" }, stdout = "a/b:1\\nc/d:2\\n" } }, expect = { "a/b:1", "c/d:2" } },
              { name = "wrong", commands = { { argv = { "lister", "--all" }, stdout = "a/b:1\\n" } }, expect = { "a/b:1", "c/d:2" } },
              { name = "unrecorded", commands = { { argv = { "lister" } } }, expect = {} },
            } }
            """,
        ]) { path, root in
            let results = try await SourceTestRunner.run(
                testFile: root.appendingPathComponent("sources/run_test.lua").path, pluginPath: path, log: quiet)
            #expect(results.map(\.passed) == [true, false, false])
            #expect(results[1].failure?.contains("images: expected") == true, "\(results[1].failure ?? "")")
            #expect(results[2].failure?.contains("recorded no output for: lister --all") == true, "\(results[2].failure ?? "")")
        }
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

    @Test("expect_final states the verdict after the rails: a test 'deleting' an in-use tag fails there")
    func finalVerdictAfterRails() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.copyItem(at: Fixtures.url("policies/age.lua"), to: directory.appendingPathComponent("age.lua"))
        let test = directory.appendingPathComponent("age_test.lua")
        try """
        local repository = { name = "a", tags = {
          { name = "old", created = "2024-01-01T00:00:00Z", in_use = true, used_by = { "k8s;prod;a;Deployment/a" } },
          { name = "new", created = "2024-01-30T00:00:00Z" },
        } }
        return evictor.policy_test {
          policy = "age.lua",
          cases = {
            { name = "marks only", options = { days = 10 }, now = "2024-01-31T00:00:00Z", repository = repository,
              expect = { keep = { "new" }, delete = { "old" } } },
            { name = "final, right", options = { days = 10 }, now = "2024-01-31T00:00:00Z", repository = repository,
              expect_final = { keep = { "new", "old" }, delete = {} } },
            { name = "final, wrong", options = { days = 10 }, now = "2024-01-31T00:00:00Z", repository = repository,
              expect = { keep = { "new" }, delete = { "old" } }, expect_final = { keep = { "new" }, delete = { "old" } } },
            { name = "refused", options = { days = 1 }, now = "2024-01-31T00:00:00Z", repository = { name = "b", tags = {
                { name = "x", created = "2024-01-01T00:00:00Z" } } },
              expect_final = { keep = {}, delete = { "x" } } },
            { name = "refused, stated", options = { days = 1 }, now = "2024-01-31T00:00:00Z", repository = { name = "b", tags = {
                { name = "x", created = "2024-01-01T00:00:00Z" } } },
              expect_final = { refused = "deletes 100.0% of the tags" } },
          },
        }
        """.write(to: test, atomically: true, encoding: .utf8)
        let results = try await PolicyTestRunner.run(testFile: test.path, pluginPath: Self.pluginPath, log: { _, _ in })
        let failures = Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0.failure) })
        #expect(results.count == 5)
        #expect(failures["marks only"] == .some(nil))
        #expect(failures["final, right"] == .some(nil), "\(failures["final, right"] ?? nil ?? "")")
        let wrong = failures["final, wrong"] ?? nil
        #expect(wrong?.contains("final keep: expected [\"new\"], got [\"new\", \"old\"]") == true, "\(wrong ?? "passed")")
        #expect(wrong?.contains("in use: k8s;prod;a;Deployment/a") == true, "\(wrong ?? "passed")")
        let refused = failures["refused"] ?? nil
        #expect(refused?.contains("final: the plan is refused: the plan deletes 100.0% of the tags") == true, "\(refused ?? "passed")")
        #expect(failures["refused, stated"] == .some(nil), "\(failures["refused, stated"] ?? nil ?? "")")
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
