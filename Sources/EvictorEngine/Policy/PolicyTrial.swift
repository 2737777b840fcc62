import EvictorCore
import EvictorScripting
import Foundation

/// The `policy check` and `policy test` use cases: work on policies without a registry.
public enum PolicyTrial {
    /// A loaded policy and what it did to the sample repository.
    public struct Checked: Sendable {
        public var policy: PolicyPlugin
        /// The sample repository's tags, and those the policy deleted.
        public var sampleTags: [String]
        public var deleted: [String]
    }

    /// One test file's cases, or why the file could not run.
    public struct TestFile: Sendable {
        public var file: String
        public var results: [PolicyTestResult]
        public var error: String?
    }

    /// Loads the policy (a file or a name on the plugin path), checks its options, and runs it
    /// once on a small sample repository, so an error in `decide` shows before it meets a
    /// registry.
    public static func check(
        _ reference: String, optionSettings: [(String, String)], pluginPath: PluginPath, events: @escaping EngineEvents
    ) async throws -> Checked {
        let policy = try await PolicyPlugin.load(named: reference, pluginPath: pluginPath, log: pluginLogHandler(events, plugin: reference))
        let options = try policy.resolveOptions(settings: optionSettings)
        let plausible = max(policy.minInventory, 10)
        let context = PolicyContext(options: options, registry: "registry.example:5000", inventory: (plausible, plausible))
        let verdicts = try await PolicyRunner.decide(policy, snapshot: PolicySample.repository(now: context.now), context: context)
        let deleted = PolicySample.tagNames.filter { verdicts.verdict(forTag: $0).0 == .delete }
        return Checked(policy: policy, sampleTags: PolicySample.tagNames, deleted: deleted)
    }

    /// The test file for `file`: itself when it is a `NAME_test.lua`, else the one beside it.
    public static func testFile(for file: String) -> String {
        file.hasSuffix("_test.lua") ? file : String(file.dropLast(file.hasSuffix(".lua") ? 4 : 0)) + "_test.lua"
    }

    /// Runs each file's test cases (a policy stands for its `NAME_test.lua`).
    public static func test(_ files: [String], pluginPath: PluginPath, events: @escaping EngineEvents) async -> [TestFile] {
        var outcomes: [TestFile] = []
        for file in files {
            let testFile = testFile(for: file)
            do {
                let results = try await PolicyTestRunner.run(
                    testFile: testFile, pluginPath: pluginPath, log: pluginLogHandler(events, plugin: testFile))
                outcomes.append(TestFile(file: testFile, results: results))
            } catch {
                outcomes.append(TestFile(file: testFile, results: [], error: "\(error)"))
            }
        }
        return outcomes
    }
}
