import EvictorCore
import Foundation
import LuaRuntime

/// An option a source declares: `options = { context = { type = "string", description = "..." } }`.
public struct SourceOption: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case string, number, boolean, list
    }

    public var name: String
    public var kind: Kind
    public var description: String
    public var defaultValue: LuaValue
    public var required: Bool
}

/// A loaded inventory source: its spec, read from `sources/NAME.lua`, in its own sandboxed VM.
public final class SourcePlugin: Sendable {
    public let name: String
    public let file: String
    public let version: String
    public let description: String
    public let options: [SourceOption]
    /// The option that receives `--source NAME:ARG`.
    public let argumentOption: String?
    public let capabilities: SourceCapabilities
    let engine: LuaEngine
    let collect: LuaFunctionReference

    private init(
        name: String, file: String, version: String, description: String, options: [SourceOption],
        argumentOption: String?, capabilities: SourceCapabilities, engine: LuaEngine, collect: LuaFunctionReference
    ) {
        self.name = name
        self.file = file
        self.version = version
        self.description = description
        self.options = options
        self.argumentOption = argumentOption
        self.capabilities = capabilities
        self.engine = engine
        self.collect = collect
    }

    /// Loads and validates a source file.
    public static func load(file: String, pluginPath: PluginPath, limits: LuaLimits = SourcePlugin.defaultLimits, log: @escaping LuaLogHandler) async throws(ScriptingError) -> SourcePlugin {
        let display = file
        let engine: LuaEngine
        let specValue: LuaValue
        do {
            engine = try LuaEngine(limits: limits, sandbox: LuaSandbox(modulePaths: pluginPath.directories), logHandler: log)
            try await engine.withVM { vm in try EvictorAPI.install(in: vm, log: log) }
            let chunk = try await engine.load(file: file, displayName: display)
            specValue = try await engine.call(chunk).first ?? .nil
        } catch let error as LuaError {
            throw .lua(plugin: display, error)
        } catch {
            throw .invalidSpec(file: display, reason: "\(error)")
        }
        guard case .table(let spec) = specValue, spec["__kind"] == "source" else {
            throw .invalidSpec(file: display, reason: "must return evictor.source { ... } (got a \(specValue.typeName))")
        }
        guard case .function(let collect) = spec["collect"], let name = spec["name"].stringValue else {
            throw .invalidSpec(file: display, reason: "evictor.source needs a name and a collect function")
        }
        let options = try parseOptions(spec["options"], file: display)
        let argument = spec["argument"].stringValue
        if let argument, !options.contains(where: { $0.name == argument }) {
            throw .invalidSpec(file: display, reason: "'argument' names '\(argument)', which is not among the options")
        }
        return SourcePlugin(
            name: name, file: file, version: spec["version"].stringValue ?? "", description: spec["description"].stringValue ?? "",
            options: options, argumentOption: argument,
            capabilities: try SourceCapabilities(from: spec["capabilities"], file: display), engine: engine, collect: collect
        )
    }

    /// Sources may wait on commands (kubectl), so they get a generous clock but the usual memory cap.
    public static let defaultLimits = LuaLimits(memoryBytes: 512 << 20, instructionsPerCall: 5_000_000_000, secondsPerCall: 600)

    private static func parseOptions(_ value: LuaValue, file: String) throws(ScriptingError) -> [SourceOption] {
        guard value != .nil else { return [] }
        guard case .table(let table) = value else { throw .invalidSpec(file: file, reason: "'options' must be a table") }
        var options: [SourceOption] = []
        for (key, element) in table.entries {
            guard let name = key.stringValue, case .table(let declaration) = element else {
                throw .invalidSpec(file: file, reason: "each option must be NAME = { type = ..., description = ... }")
            }
            let kindName = declaration["type"].stringValue ?? "string"
            guard let kind = SourceOption.Kind(rawValue: kindName) else {
                throw .invalidSpec(file: file, reason: "option '\(name)': unknown type '\(kindName)' (string, number, boolean, list)")
            }
            options.append(SourceOption(
                name: name, kind: kind, description: declaration["description"].stringValue ?? "",
                defaultValue: declaration["default"], required: declaration["required"].isTruthy
            ))
        }
        return options.sorted { $0.name < $1.name }
    }

    // MARK: - Options

    /// The `opts` table for `collect`: defaults, then `ARG`, then `KEY=VALUE` settings, typed.
    public func resolveOptions(argument: String?, settings: [(String, String)]) throws(ScriptingError) -> LuaValue {
        var table = LuaTable()
        for option in options where option.defaultValue != .nil { table[option.name] = option.defaultValue }
        var given = settings
        if let argument {
            guard let target = argumentOption else {
                throw .invalidOption("source \(name) takes no argument (use --option \(name).KEY=VALUE)")
            }
            given.insert((target, argument), at: 0)
        }
        for (key, text) in given {
            guard let option = options.first(where: { $0.name == key }) else {
                let known = options.map(\.name).joined(separator: ", ")
                throw .invalidOption("source \(name) has no option '\(key)' (options: \(known.isEmpty ? "none" : known))")
            }
            table[key] = try convert(text, option)
        }
        for option in options where option.required && table[option.name] == .nil {
            throw .invalidOption("source \(name) needs option '\(option.name)'")
        }
        return .table(table)
    }

    private func convert(_ text: String, _ option: SourceOption) throws(ScriptingError) -> LuaValue {
        switch option.kind {
        case .string:
            return .string(LuaString(text))
        case .number:
            if let integer = Int64(text) { return .integer(integer) }
            guard let number = Double(text) else { throw .invalidOption("source \(name): option '\(option.name)' must be a number, got '\(text)'") }
            return .number(number)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "1": return .boolean(true)
            case "false", "no", "0": return .boolean(false)
            default: throw .invalidOption("source \(name): option '\(option.name)' must be true or false, got '\(text)'")
            }
        case .list:
            return .table(LuaTable(array: text.split(separator: ",").map { .string(LuaString(String($0))) }))
        }
    }
}
