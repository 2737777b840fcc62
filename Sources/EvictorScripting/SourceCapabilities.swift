import Foundation
import LuaRuntime

/// What a source declared it needs beyond pure Lua, e.g.
/// `capabilities = { run = { "kubectl" }, read = { "/etc/evictor/*" }, glob = true, env = { "KUBECONFIG" } }`.
/// Only declared capabilities appear in the `host` table its `collect` receives; none of them
/// hands a source Evictor's own secrets (`SourceEnvironment`).
public struct SourceCapabilities: Sendable, Equatable {
    /// Programs (by name) `host.run` may start.
    public var run: [String] = []
    /// `host.read_file`, `host.exists`.
    public var read = false
    /// `read = { "GLOB", ... }`: only paths matching one of these (nil: `read = true`, any path).
    public var readPaths: [String]?
    /// `host.glob`.
    public var glob = false
    /// Environment variables `host.env` may read, and commands started by `host.run` get.
    public var env: [String] = []
    /// `env = true` (or `"*"` in the list): any variable that holds no secret (compose
    /// interpolation needs this); commands still get only the named ones.
    public var anyEnv = false
    /// `host.pulled(days)`: the pull history of `evictor serve`.
    public var usage = false

    public init() {}

    init(from value: LuaValue, file: String) throws(ScriptingError) {
        guard value != .nil else { return }
        guard case .table(let table) = value else {
            throw .invalidSpec(file: file, reason: "'capabilities' must be a table")
        }
        for (key, element) in table.entries {
            switch key.stringValue {
            case "run": run = try Self.strings(element, "run", file)
            case "env":
                if element == .boolean(true) {
                    anyEnv = true
                } else {
                    env = try Self.strings(element, "env", file).filter { $0 != "*" }
                    anyEnv = env.count < (element.tableValue?.arrayValues?.count ?? 0)
                }
            case "read":
                if case .table = element {
                    readPaths = try Self.strings(element, "read", file)
                    read = true
                } else {
                    read = element.isTruthy
                }
            case "glob": glob = element.isTruthy
            case "usage": usage = element.isTruthy
            default:
                throw .invalidSpec(file: file, reason: "unknown capability '\(key.description)' (known: run, read, glob, env, usage)")
            }
        }
    }

    private static func strings(_ value: LuaValue, _ name: String, _ file: String) throws(ScriptingError) -> [String] {
        guard case .table(let table) = value, let items = table.arrayValues else {
            throw .invalidSpec(file: file, reason: "capability '\(name)' must be a list of names")
        }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue, !text.isEmpty, !text.contains("/") || name != "run" else {
                throw .invalidSpec(file: file, reason: "capability '\(name)' must list \(name == "read" ? "paths or globs" : "plain names")")
            }
            result.append(text)
        }
        return result
    }
}
