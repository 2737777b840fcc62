import ArgumentParser
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
        var failed = 0, passed = 0
        for file in files {
            let testFile = file.hasSuffix("_test.lua") ? file : String(file.dropLast(file.hasSuffix(".lua") ? 4 : 0)) + "_test.lua"
            let results: [PolicyTestResult]
            do {
                results = try await PolicyTestRunner.run(testFile: testFile, pluginPath: plugins.pluginPath, log: CommandLog.handler(prefix: testFile))
            } catch {
                print("FAIL \(testFile): \(error)")
                failed += 1
                continue
            }
            for result in results {
                if let failure = result.failure {
                    print("FAIL \(testFile): \(result.name)\n      \(failure)")
                    failed += 1
                } else {
                    print("ok   \(testFile): \(result.name)")
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

    @Option(name: .customLong("policy-option"), help: "KEY=VALUE for the policy's options; repeatable.")
    var policyOptions: [String] = []

    @OptionGroup var plugins: PluginOptions

    func run() async throws {
        let policy = try await PolicyPlugin.load(named: file, pluginPath: plugins.pluginPath, log: CommandLog.handler(prefix: file))
        let options = try policy.resolveOptions(settings: try PolicyOptionSettings.parse(policyOptions))
        print("policy \(policy.name): \(policy.description)")
        print("  file: \(policy.file) (sha256 \(policy.sha256.prefix(16)))")
        print("  untouched tags: \(policy.defaultVerdict.rawValue)\(policy.needsInventory ? "; needs an inventory of at least \(policy.minInventory) images" : "")")
        for option in policy.options {
            print("  option \(option.name) (\(option.kind.rawValue)\(option.required ? ", required" : ""), default \(option.defaultValue)): \(option.description)")
        }
        let context = PolicyContext(options: options, registry: "registry.example:5000", inventory: (max(policy.minInventory, 10), max(policy.minInventory, 10)))
        let verdicts = try await PolicyRunner.decide(policy, snapshot: PolicySample.repository(now: context.now), context: context)
        let deleted = PolicySample.tagNames.filter { verdicts.verdict(forTag: $0).0 == .delete }
        print("  sample run: \(PolicySample.tagNames.count) tags, \(deleted.count) deleted")
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

/// A small repository for `policy check`'s trial run: a few versions, one in use, an index.
enum PolicySample {
    static let tagNames = ["latest", "1.2.0", "1.1.0", "1.0.0", "0.9.0"]

    static func repository(now: Date) -> RepositorySnapshot {
        var images: [Digest: ImageRecord] = [:]
        var tags: [TagRecord] = []
        for (age, name) in tagNames.enumerated() {
            let digest = Digest.sha256(of: Array("sample:\(name)".utf8))
            images[digest] = ImageRecord(digest: digest, mediaType: "application/vnd.oci.image.manifest.v1+json", created: now.addingTimeInterval(-Double(age) * 30 * 86_400),
                                         size: 1_000_000, platforms: ["linux/amd64"])
            tags.append(TagRecord(name: name, digest: digest, inUse: name == "1.1.0", usedBy: name == "1.1.0" ? ["sample/deployment"] : []))
        }
        return RepositorySnapshot(name: "sample/app", tags: tags, images: images, inUse: true, usedBy: ["sample/deployment"])
    }
}
