import Foundation
import LuaRuntime
import RegistryStorage

/// Runs `evictor.fixer_test { fixer = "x.lua", cases = { ... } }` files: each case gives the
/// scan's `findings`, a `store` fixture (`StoreFixture`) and `options`, and states the actions
/// the fixer must record (`expect`: `{ kind = "drop_tag", repository = ..., tag = ... }`, in any
/// order, reasons not compared) or the error it must fail with (`expect_error`).
public enum FixerTestRunner {
    public static func run(testFile: String, pluginPath: PluginPath, log: @escaping LuaLogHandler) async throws(ScriptingError) -> [PolicyTestResult]
    {
        let file = try await PluginTestFile.load(testFile, kind: "fixer_test", field: "fixer", pluginPath: pluginPath, log: log)
        return await file.run { testCase in await failure(of: testCase, fixer: PluginScript(file: file.target), pluginPath: pluginPath, log: log) }
    }

    private static func failure(of testCase: LuaTable, fixer script: PluginScript, pluginPath: PluginPath, log: @escaping LuaLogHandler) async
        -> String?
    {
        let expectedError = testCase["expect_error"].stringValue
        let actions: [FixAction]
        do {
            let fixture = try StoreFixture(testCase["store"])
            let fixer = try await FixerPlugin.load(script: script, store: { vm in fixture.functions(in: vm) }, pluginPath: pluginPath, log: log)
            let options = try PluginOption.resolve(fixer.options, owner: "fixer \(fixer.name)", values: testCase["options"].tableValue ?? LuaTable())
            actions = try await fixer.actions(for: try findings(testCase["findings"]), options: options)
        } catch {
            guard let expectedError else { return "the fixer failed: \(error)" }
            return "\(error)".contains(expectedError) ? nil : "expected an error containing '\(expectedError)', got: \(error)"
        }
        if let expectedError { return "expected an error containing '\(expectedError)', the fixer succeeded" }
        guard case .table(let expect) = testCase["expect"] else { return "the case needs 'expect' (a list of actions) or 'expect_error'" }
        let wanted = Set((expect.arrayValues ?? []).compactMap { $0.tableValue.map(describe) })
        let actual = Set(actions.map { describe(kind: $0.kind.rawValue, repository: $0.repository, tag: $0.tag, digest: $0.digest, path: $0.path) })
        guard wanted != actual else { return nil }
        return "actions: expected \(wanted.sorted()), got \(actual.sorted())"
    }

    private static func findings(_ value: LuaValue) throws(ScriptingError) -> [StorageFinding] {
        var findings: [StorageFinding] = []
        for element in value.tableValue?.arrayValues ?? [] {
            guard case .table(let fields) = element, let problemName = fields["problem"].stringValue,
                let problem = StorageProblem(rawValue: problemName)
            else { throw .invalidOption("findings: { problem = \"tag-link-broken\", repository = ..., ... } entries") }
            findings.append(
                StorageFinding(
                    problem: problem, repository: fields["repository"].stringValue ?? "", tag: fields["tag"].stringValue,
                    digest: fields["digest"].stringValue, path: fields["path"].stringValue ?? "", detail: fields["detail"].stringValue ?? "",
                    tags: fields["tags"].tableValue?.arrayValues?.compactMap(\.stringValue) ?? []))
        }
        return findings
    }

    private static func describe(_ table: LuaTable) -> String {
        describe(
            kind: table["kind"].stringValue ?? "?", repository: table["repository"].stringValue, tag: table["tag"].stringValue,
            digest: table["digest"].stringValue, path: table["path"].stringValue)
    }

    private static func describe(kind: String, repository: String?, tag: String?, digest: String?, path: String?) -> String {
        [kind, repository, tag, digest, path].compactMap { $0 }.joined(separator: " ")
    }
}
