import EvictorCore
import Foundation
import LuaRuntime

/// Runs `evictor.source_test { source = "x.lua", cases = { ... } }` files: each case records
/// what the machine would answer (`files`, `env`, `commands`; see `SourceRecording`), gives
/// `argument` and `options` (checked as on the command line), and states the images the source
/// must report (`expect`, references in any order; `expect_seen_at` optionally maps a reference
/// to where it was seen) or the error it must fail with (`expect_error`).
public enum SourceTestRunner {
    public static func run(testFile: String, pluginPath: PluginPath, log: @escaping LuaLogHandler) async throws(ScriptingError) -> [PolicyTestResult]
    {
        let file = try await PluginTestFile.load(testFile, kind: "source_test", field: "source", pluginPath: pluginPath, log: log)
        let plugin = try await SourcePlugin.load(file: file.target, pluginPath: pluginPath, log: log)
        return await file.run { testCase in await failure(of: testCase, plugin: plugin) }
    }

    /// nil when the case passes.
    private static func failure(of testCase: LuaTable, plugin: SourcePlugin) async -> String? {
        let expectedError = testCase["expect_error"].stringValue
        let images: [InventoryImage]
        do {
            let recording = try SourceRecording(testCase)
            let options = try plugin.resolveOptions(argument: testCase["argument"].stringValue, values: testCase["options"].tableValue ?? LuaTable())
            images = try await SourceRunner.collect(plugin, options: options, recording: recording)
        } catch {
            guard let expectedError else { return "the source failed: \(error)" }
            return "\(error)".contains(expectedError) ? nil : "expected an error containing '\(expectedError)', got: \(error)"
        }
        if let expectedError { return "expected an error containing '\(expectedError)', the source succeeded" }
        guard case .table(let expect) = testCase["expect"] else { return "the case needs 'expect' (a list of image references) or 'expect_error'" }
        var wanted: Set<String> = []
        for text in (expect.arrayValues ?? []).compactMap(\.stringValue) {
            guard let reference = try? ImageReference(parsing: text) else { return "expect: '\(text)' is not an image reference" }
            wanted.insert(reference.description)
        }
        let actual = Set(images.map(\.reference.description))
        var problems: [String] = []
        if wanted != actual {
            problems.append("images: expected \(wanted.sorted()), got \(actual.sorted())")
        }
        for (key, value) in testCase["expect_seen_at"].tableValue?.entries ?? [:] {
            guard let text = key.stringValue, let reference = try? ImageReference(parsing: text) else { continue }
            let places = Set((value.tableValue?.arrayValues ?? [value]).compactMap(\.stringValue))
            let seen = Set(images.filter { $0.reference == reference }.flatMap(\.seenAt))
            if places != seen { problems.append("seen_at of \(text): expected \(places.sorted()), got \(seen.sorted())") }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }
}
