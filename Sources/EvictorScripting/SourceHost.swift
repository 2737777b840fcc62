import EvictorCore
import Foundation
import LuaRuntime

/// Builds the `host` table a source's `collect` receives: only the capabilities it declared,
/// as functions under no global name (a plugin reaches them only through `host`), and none
/// that hands it Evictor's own secrets (`SourceEnvironment`, `SourceFileAccess`).
enum SourceHost {
    static func install(
        _ capabilities: SourceCapabilities, source: String, in vm: LuaVM, pulled: PulledImages? = nil,
        environment: SourceEnvironment = SourceEnvironment()
    ) -> LuaValue {
        var host = LuaTable()
        if !capabilities.run.isEmpty {
            host["run"] = .function(
                vm.makeFunction(named: "host.run") { arguments in
                    try run(arguments, capabilities: capabilities, environment: environment)
                })
        }
        if capabilities.read {
            let files = SourceFileAccess(globs: capabilities.readPaths, environment: environment.variables)
            host["read_file"] = .function(
                vm.makeFunction(named: "host.read_file") { arguments in
                    guard let path = arguments.first?.stringValue else { throw LuaHostError("expects a path") }
                    try files.check(path)
                    guard let data = FileManager.default.contents(atPath: path) else {
                        return [.nil, .string(LuaString("\(path): cannot read (missing or not permitted)"))]
                    }
                    return [.string(LuaString(bytes: [UInt8](data)))]
                })
            host["exists"] = .function(
                vm.makeFunction(named: "host.exists") { arguments in
                    guard let path = arguments.first?.stringValue else { throw LuaHostError("expects a path") }
                    try files.check(path)
                    return [.boolean(FileManager.default.fileExists(atPath: path))]
                })
        }
        if capabilities.glob {
            host["glob"] = .function(
                vm.makeFunction(named: "host.glob") { arguments in
                    guard let pattern = arguments.first?.stringValue else { throw LuaHostError("expects a pattern") }
                    return [.table(LuaTable(array: FileGlob.match(pattern).map { .string(LuaString($0)) }))]
                })
        }
        if !capabilities.env.isEmpty || capabilities.anyEnv {
            host["env"] = .function(
                vm.makeFunction(named: "host.env") { arguments in
                    guard let name = arguments.first?.stringValue else { throw LuaHostError("expects a variable name") }
                    return [try environment.value(name, capabilities: capabilities).map { .string(LuaString($0)) } ?? .nil]
                })
        }
        if capabilities.usage {
            host["pulled"] = .function(
                vm.makeFunction(named: "host.pulled") { arguments in
                    guard let days = arguments.first?.doubleValue, days > 0 else { throw LuaHostError("expects a number of days") }
                    guard let pulled else {
                        throw LuaHostError("no pull history: give the config (its state directory holds evictor serve's usage.sqlite)")
                    }
                    return [.table(LuaTable(array: try pulled(days).map(Self.luaValue)))]
                })
        }
        return .table(host)
    }

    private static func luaValue(_ image: PulledImage) -> LuaValue {
        var fields = LuaTable()
        fields["registry"] = .string(LuaString(image.registry))
        fields["repository"] = .string(LuaString(image.repository))
        fields["digest"] = .string(LuaString(image.digest))
        fields["tags"] = .table(LuaTable(array: image.tags.map { .string(LuaString($0)) }))
        fields["last_pulled"] = .number(image.lastPulled.timeIntervalSince1970)
        fields["pull_count"] = .integer(Int64(image.pullCount))
        return .table(fields)
    }

    /// `host.run({"kubectl", "get", ...}, { timeout = 30, stdin = "...", env = { K = "v" } })`
    /// returns `{ code = 0, stdout = "...", stderr = "...", timed_out = false }`. The command gets
    /// `SourceEnvironment.command`: a minimal environment, the named variables, then `env`.
    private static func run(_ arguments: [LuaValue], capabilities: SourceCapabilities, environment: SourceEnvironment) throws -> [LuaValue] {
        guard case .table(let argvTable)? = arguments.first, let items = argvTable.arrayValues, !items.isEmpty else {
            throw LuaHostError("expects an argv list such as {\"kubectl\", \"version\"}")
        }
        var argv: [String] = []
        for item in items {
            guard let text = item.stringValue else { throw LuaHostError("argv entries must be strings") }
            argv.append(text)
        }
        guard capabilities.run.contains(argv[0]) else {
            throw LuaHostError("'\(argv[0])' was not declared in capabilities.run")
        }
        let options = arguments.count > 1 ? arguments[1].tableValue ?? LuaTable() : LuaTable()
        let timeout = options["timeout"].doubleValue ?? 60
        let stdin = options["stdin"].stringValue.map { Data($0.utf8) }
        var extra: [String: String] = [:]
        if case .table(let given) = options["env"] {
            for (key, value) in given.entries {
                if let name = key.stringValue, let text = value.stringValue { extra[name] = text }
            }
        }
        let outcome: CommandRunner.Outcome
        do {
            outcome = try CommandRunner.run(
                argv, stdin: stdin, environment: environment.command(capabilities: capabilities, extra: extra), timeout: timeout)
        } catch {
            throw LuaHostError("\(error)")
        }
        return [
            .table(
                LuaTable(fields: [
                    "code": .integer(Int64(outcome.code)),
                    "stdout": .string(LuaString(bytes: [UInt8](outcome.stdout))),
                    "stderr": .string(LuaString(bytes: [UInt8](outcome.stderr))),
                    "timed_out": .boolean(outcome.timedOut),
                ]))
        ]
    }
}

/// Shell-style globbing (`*`, `?`, `[...]`) without a shell.
enum FileGlob {
    static func match(_ pattern: String) -> [String] {
        PlatformFiles.glob(pattern)
    }
}
