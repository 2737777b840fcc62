import Foundation
import LuaRuntime

/// What a source declared it needs beyond pure Lua, e.g.
/// `capabilities = { run = { "kubectl" }, read = true, glob = true, env = { "KUBECONFIG" } }`.
/// Only declared capabilities appear in the `host` table its `collect` receives.
public struct SourceCapabilities: Sendable, Equatable {
    /// Programs (by name) `host.run` may start.
    public var run: [String] = []
    /// `host.read_file`.
    public var read = false
    /// `host.glob`.
    public var glob = false
    /// Environment variables `host.env` may read.
    public var env: [String] = []
    /// `env = true`: any variable (compose interpolation needs this).
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
                if element == .boolean(true) { anyEnv = true } else { env = try Self.strings(element, "env", file) }
            case "read": read = element.isTruthy
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
            guard let text = item.stringValue, !text.isEmpty, !text.contains("/") || name == "env" else {
                throw .invalidSpec(file: file, reason: "capability '\(name)' must list plain names")
            }
            result.append(text)
        }
        return result
    }
}
