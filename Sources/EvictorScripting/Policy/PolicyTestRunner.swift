import EvictorCore
import Foundation
import LuaRuntime

/// The outcome of one case of a policy test file.
public struct PolicyTestResult: Sendable {
    public var file: String
    public var name: String
    /// nil when the case passed, else what differed.
    public var failure: String?
    public var passed: Bool { failure == nil }
}

/// Runs `evictor.policy_test { policy = "x.lua", cases = { ... } }` files: each case gives a
/// fixture repository (no registry involved) and the verdicts the policy must reach.
public enum PolicyTestRunner {
    /// Runs every case of a test file. A file that cannot be loaded is an error.
    public static func run(testFile: String, pluginPath: PluginPath, log: @escaping LuaLogHandler) async throws(ScriptingError) -> [PolicyTestResult]
    {
        let file = try await PluginTestFile.load(testFile, kind: "policy_test", field: "policy", pluginPath: pluginPath, log: log)
        let policy = try await PolicyPlugin.load(file: file.target, pluginPath: pluginPath, log: log)
        return await file.run { testCase in await failure(of: testCase, policy: policy) }
    }

    /// nil when the case passes.
    private static func failure(of testCase: LuaTable, policy: PolicyPlugin) async -> String? {
        let view: PolicyRepositoryView
        let context: PolicyContext
        do {
            view = try PolicyFixture.repository(testCase["repository"])
            context = try PolicyFixture.context(testCase, policy: policy)
        } catch let error as ScriptingError {
            // An option the policy refuses fails as it would on the command line, at load.
            guard case .invalidOption = error, let expected = testCase["expect_error"].stringValue else { return "invalid case: \(error)" }
            return error.description.contains(expected) ? nil : "expected an error containing '\(expected)', got: \(error)"
        } catch {
            return "invalid case: \(error)"
        }
        let verdicts: PolicyVerdicts
        do {
            verdicts = try await PolicyRunner.decide(policy, view: view, context: context)
        } catch {
            guard let expected = testCase["expect_error"].stringValue else { return "policy failed: \(error)" }
            return error.description.contains(expected) ? nil : "expected an error containing '\(expected)', got: \(error)"
        }
        if let expected = testCase["expect_error"].stringValue { return "expected an error containing '\(expected)', the policy succeeded" }
        guard testCase["expect"] != .nil || testCase["expect_final"] != .nil else {
            return "the case needs 'expect', 'expect_final' or 'expect_error'"
        }
        var problems: [String] = []
        var details: [String] = []
        if case .table(let expect) = testCase["expect"] {
            checkMarks(expect, view: view, verdicts: verdicts, into: &problems)
            if !problems.isEmpty {
                details = view.tags.map { tag in "\(tag.name): " + verdicts.verdict(forTag: tag.name).1.map(\.description).joined(separator: "; ") }
            }
        }
        if case .table(let expectFinal) = testCase["expect_final"] {
            let outcome: PolicyFinalOutcome
            do {
                outcome = try PolicyFinalOutcome(
                    view: view, verdicts: verdicts, policy: policy, context: context,
                    maxDeletePercent: testCase["max_delete_percent"].doubleValue ?? 50,
                    minInventory: testCase["min_inventory"].doubleValue.map { Int($0) })
            } catch {
                return "invalid case: \(error)"
            }
            let before = problems.count
            checkFinal(expectFinal, outcome: outcome, into: &problems)
            if problems.count > before { details += ["after the rails:"] + outcome.decision.explain(tag: nil) }
        }
        guard problems.isEmpty else {
            return problems.joined(separator: "; ") + "\n      decisions: " + details.joined(separator: "\n                 ")
        }
        return nil
    }

    /// `expect`: the policy's own verdicts, before the rails.
    private static func checkMarks(_ expect: LuaTable, view: PolicyRepositoryView, verdicts: PolicyVerdicts, into problems: inout [String]) {
        var actual: [Verdict: Set<String>] = [.keep: [], .delete: []]
        for tag in view.tags { actual[verdicts.verdict(forTag: tag.name).0, default: []].insert(tag.name) }
        compare("keep", expected: expect["keep"], actual: actual[.keep] ?? [], required: true, into: &problems)
        compare("delete", expected: expect["delete"], actual: actual[.delete] ?? [], required: true, into: &problems)
        var untagged: [Verdict: Set<String>] = [.keep: [], .delete: []]
        for manifest in view.untagged {
            let digest = (try? Digest(parsing: manifest.image.digest)).map { verdicts.verdict(forUntagged: $0).0 } ?? .keep
            untagged[digest, default: []].insert(manifest.image.digest)
        }
        compare("untagged_keep", expected: expect["untagged_keep"], actual: untagged[.keep] ?? [], required: false, into: &problems)
        compare("untagged_delete", expected: expect["untagged_delete"], actual: untagged[.delete] ?? [], required: false, into: &problems)
    }

    /// `expect_final`: what the plan does after the rails, or that it is refused.
    private static func checkFinal(_ expect: LuaTable, outcome: PolicyFinalOutcome, into problems: inout [String]) {
        let refused = expect["refused"].stringValue
        switch (outcome.refusal, refused) {
        case (let refusal?, nil):
            problems.append("final: the plan is refused: \(refusal) (state it with expect_final.refused, or set max_delete_percent)")
        case (let refusal?, let wanted?) where !refusal.contains(wanted):
            problems.append("final: expected the plan refused with '\(wanted)', it was refused: \(refusal)")
        case (nil, let wanted?):
            problems.append("final: expected the plan refused with '\(wanted)', it was not")
        default:
            break
        }
        let tags = outcome.names(tagged: true)
        let untagged = outcome.names(tagged: false)
        let required = refused == nil
        compare("final keep", expected: expect["keep"], actual: tags[.keep] ?? [], required: required, into: &problems)
        compare("final delete", expected: expect["delete"], actual: tags[.delete] ?? [], required: required, into: &problems)
        compare("final untagged_keep", expected: expect["untagged_keep"], actual: untagged[.keep] ?? [], required: false, into: &problems)
        compare("final untagged_delete", expected: expect["untagged_delete"], actual: untagged[.delete] ?? [], required: false, into: &problems)
    }

    private static func compare(_ field: String, expected: LuaValue, actual: Set<String>, required: Bool, into problems: inout [String]) {
        guard expected != .nil else {
            if required { problems.append("expect.\(field) is missing") }
            return
        }
        let wanted = Set((expected.tableValue?.arrayValues ?? []).compactMap(\.stringValue))
        if wanted != actual {
            let missing = wanted.subtracting(actual).sorted()
            let extra = actual.subtracting(wanted).sorted()
            problems.append(
                "\(field): expected \(wanted.sorted()), got \(actual.sorted())" + (missing.isEmpty ? "" : " (missing \(missing))")
                    + (extra.isEmpty ? "" : " (unexpected \(extra))"))
        }
    }
}
