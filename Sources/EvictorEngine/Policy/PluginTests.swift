import EvictorScripting
import Foundation

/// `evictor plugins test [DIR]`: every test of a plugin directory or repository, the way its own
/// CI runs them: `policies/*_test.lua` (policies against fixture repositories) and
/// `sources/*_test.lua` (sources against recorded files, variables and commands) and
/// `fixers/*_test.lua` (fixers against scan findings and a store fixture). DIR is the
/// top layer of the plugin path, so its plugins and its `lib/` modules are the ones tested.
public enum PluginTests {
    /// The test files of `directory`, by kind folder then name.
    public static func files(in directory: String) -> [String] {
        var found: [String] = []
        for folder in ["policies", "sources", "fixers"] {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(folder).path
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            found += entries.filter { $0.hasSuffix("_test.lua") }.sorted().map { "\(path)/\($0)" }
        }
        return found
    }

    /// Runs every test file of `directory` with `pluginPath` below it.
    public static func run(directory: String, pluginPath: PluginPath, events: @escaping EngineEvents) async throws -> [PolicyTrial.TestFile] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EngineError.invalidSettings("\(directory): not a plugin directory")
        }
        let path = PluginPath(directories: [root] + pluginPath.directories.filter { $0 != root }, includesBuiltIns: pluginPath.includesBuiltIns)
        _ = try path.repositories()
        var outcomes: [PolicyTrial.TestFile] = []
        for file in files(in: root) {
            let log = pluginLogHandler(events, plugin: file)
            do {
                let folder = URL(fileURLWithPath: file).deletingLastPathComponent().lastPathComponent
                let results: [PolicyTestResult]
                switch folder {
                case "sources": results = try await SourceTestRunner.run(testFile: file, pluginPath: path, log: log)
                case "fixers": results = try await FixerTestRunner.run(testFile: file, pluginPath: path, log: log)
                default: results = try await PolicyTestRunner.run(testFile: file, pluginPath: path, log: log)
                }
                outcomes.append(PolicyTrial.TestFile(file: file, results: results))
            } catch {
                outcomes.append(PolicyTrial.TestFile(file: file, results: [], error: "\(error)"))
            }
        }
        return outcomes
    }
}
