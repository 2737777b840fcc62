import ArgumentParser
import EvictorEngine
import EvictorCore
import EvictorScripting
import Foundation

/// `evictor policy test|check`: work on policies without a registry.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Test and validate retention policies (no registry needed).",
        subcommands: [PolicyTestCommand.self, PolicyCheckCommand.self]
    )
}

/// `evictor policy test FILE...`: runs policy test files (a policy stands for its NAME_test.lua).
struct PolicyTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run policy tests against fixture repositories.",
        discussion: "Each FILE is a NAME_test.lua file, or a policy whose NAME_test.lua sits beside it. Exit 1 when a case fails."
    )

    @Argument(help: "Test files or policies.")
    var files: [String]

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        try plugins.refuseOptions("policy test")
        try Self.report(await PolicyTrial.test(files, pluginPath: plugins.pluginPath, events: CommandLog.events()))
    }

    /// One line per case, a total, exit 1 when anything failed.
    static func report(_ outcomes: [PolicyTrial.TestFile]) throws {
        var failed = 0
        var passed = 0
        for outcome in outcomes {
            if let error = outcome.error {
                print("FAIL \(outcome.file): \(error)")
                failed += 1
            }
            for result in outcome.results {
                if let failure = result.failure {
                    print("FAIL \(outcome.file): \(result.name)\n      \(failure)")
                    failed += 1
                } else {
                    print("ok   \(outcome.file): \(result.name)")
                    passed += 1
                }
            }
        }
        print("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}

/// `evictor policy check FILE|NAME`: loads a policy, validates its spec, and runs it once on a
/// sample repository so an error in `decide` shows before it meets a registry.
struct PolicyCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load and validate a policy."
    )

    @Argument(help: "The policy: a file, or a name on the plugin path (e.g. in-use).")
    var file: String

    @Option(name: .customLong("policy-option"), help: "KEY=VALUE for the policy's options (the same as --option POLICY.KEY=VALUE); repeatable.")
    var policyOptions: [String] = []

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        let settings = try PolicyOptionSettings.parse(policyOptions) + (try plugins.policySettings(for: file))
        let checked = try await PolicyTrial.check(file, optionSettings: settings, pluginPath: plugins.pluginPath, events: CommandLog.events())
        let policy = checked.policy
        print("policy \(policy.name): \(policy.description)")
        print("  file: \(policy.file) (sha256 \(policy.sha256.prefix(16)))")
        let needs = policy.needsInventory ? "; needs an inventory of at least \(policy.minInventory) images" : ""
        print("  untouched tags: \(policy.defaultVerdict.rawValue)\(needs)")
        for option in policy.options {
            let required = option.required ? ", required" : ""
            print("  option \(option.name) (\(option.kind.rawValue)\(required), default \(option.defaultValue)): \(option.description)")
        }
        print("  sample run: \(checked.sampleTags.count) tags, \(checked.deleted.count) deleted")
        print("policy ok")
    }
}

/// `KEY=VALUE` pairs for `--policy-option`.
enum PolicyOptionSettings {
    static func parse(_ texts: [String]) throws -> [(String, String)] {
        try texts.map { text in
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("--policy-option expects KEY=VALUE, got '\(text)'")
            }
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
    }
}
