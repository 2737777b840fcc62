import LuaRuntime

/// A loaded `NAME_test.lua` of any kind (`evictor.policy_test`, `source_test`, `fixer_test`):
/// the plugin file it tests (relative to the test file) and its cases, each run the same way.
struct PluginTestFile {
    var path: String
    /// The tested plugin's file.
    var target: String
    var cases: [LuaValue]

    /// Loads `path` as a spec of `kind` whose `field` names the tested file.
    static func load(_ path: String, kind: String, field: String, pluginPath: PluginPath, log: @escaping LuaLogHandler)
        async throws(ScriptingError) -> PluginTestFile
    {
        let spec = try await PluginSpecLoader.load(
            script: PluginScript(file: path), kind: kind, pluginPath: pluginPath, limits: PolicyPlugin.defaultLimits, log: log
        ).spec
        let relative = spec[field].stringValue ?? ""
        let directory = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : ""
        let target = relative.hasPrefix("/") || directory.isEmpty ? relative : "\(directory)/\(relative)"
        return PluginTestFile(path: path, target: target, cases: spec["cases"].tableValue?.arrayValues ?? [])
    }

    /// Every case's result: `failure` gives nil when a case passes, else what differed.
    func run(_ failure: (LuaTable) async -> String?) async -> [PolicyTestResult] {
        var results: [PolicyTestResult] = []
        for (index, element) in cases.enumerated() {
            guard case .table(let testCase) = element else {
                results.append(PolicyTestResult(file: path, name: "case \(index + 1)", failure: "a case must be a table"))
                continue
            }
            let name = testCase["name"].stringValue ?? "case \(index + 1)"
            results.append(PolicyTestResult(file: path, name: name, failure: await failure(testCase)))
        }
        return results
    }
}
