import Foundation
import LuaRuntime

/// What a source test case records instead of the machine: files, environment variables and
/// commands with their output. A source under test gets a `host` with only its declared
/// capabilities, as in a real run, answered from here: a file, variable or command the case
/// did not record is absent (a command not recorded is an error naming it).
struct SourceRecording: Sendable {
    struct Command: Sendable {
        var argv: [String]
        var code: Int64
        var stdout: String
        var stderr: String
    }

    var files: [String: String] = [:]
    var environment: [String: String] = [:]
    var commands: [Command] = []

    /// Reads a case's `files`, `env` and `commands`.
    init(_ testCase: LuaTable) throws(ScriptingError) {
        for (key, value) in testCase["files"].tableValue?.entries ?? [:] {
            guard let path = key.stringValue, let text = value.stringValue else { throw .invalidOption("files: path = \"contents\" entries") }
            files[path] = text
        }
        for (key, value) in testCase["env"].tableValue?.entries ?? [:] {
            guard let name = key.stringValue, let text = value.stringValue else { throw .invalidOption("env: NAME = \"value\" entries") }
            environment[name] = text
        }
        for element in testCase["commands"].tableValue?.arrayValues ?? [] {
            guard case .table(let fields) = element, let argv = fields["argv"].tableValue?.arrayValues?.compactMap(\.stringValue), !argv.isEmpty
            else { throw .invalidOption("commands: { argv = {...}, stdout = \"...\", code = 0 } entries") }
            commands.append(
                Command(
                    argv: argv, code: Int64(fields["code"].doubleValue ?? 0), stdout: fields["stdout"].stringValue ?? "",
                    stderr: fields["stderr"].stringValue ?? ""))
        }
    }

    /// The `host` table for `capabilities`, answered from the recording.
    func host(_ capabilities: SourceCapabilities, in vm: LuaVM) -> LuaValue {
        var host = LuaTable()
        let recording = self
        if !capabilities.run.isEmpty {
            host["run"] = .function(
                vm.makeFunction(named: "host.run") { arguments in
                    guard case .table(let table)? = arguments.first, let argv = table.arrayValues?.compactMap(\.stringValue), !argv.isEmpty else {
                        throw LuaHostError("expects an argv list such as {\"kubectl\", \"version\"}")
                    }
                    guard capabilities.run.contains(argv[0]) else { throw LuaHostError("'\(argv[0])' was not declared in capabilities.run") }
                    guard let command = recording.commands.first(where: { $0.argv == argv }) else {
                        throw LuaHostError("the test case recorded no output for: \(argv.joined(separator: " "))")
                    }
                    return [
                        .table(
                            LuaTable(fields: [
                                "code": .integer(command.code), "stdout": .string(LuaString(command.stdout)),
                                "stderr": .string(LuaString(command.stderr)), "timed_out": .boolean(false),
                            ]))
                    ]
                })
        }
        if capabilities.read {
            host["read_file"] = .function(
                vm.makeFunction(named: "host.read_file") { arguments in
                    guard let path = arguments.first?.stringValue else { throw LuaHostError("expects a path") }
                    guard let text = recording.files[path] else {
                        return [.nil, .string(LuaString("\(path): cannot read (missing or not permitted)"))]
                    }
                    return [.string(LuaString(text))]
                })
            host["exists"] = .function(
                vm.makeFunction(named: "host.exists") { arguments in
                    guard let path = arguments.first?.stringValue else { throw LuaHostError("expects a path") }
                    return [.boolean(recording.files[path] != nil)]
                })
        }
        if capabilities.glob {
            host["glob"] = .function(
                vm.makeFunction(named: "host.glob") { arguments in
                    guard let pattern = arguments.first?.stringValue else { throw LuaHostError("expects a pattern") }
                    let matches = recording.files.keys.filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }.sorted()
                    return [.table(LuaTable(array: matches.map { .string(LuaString($0)) }))]
                })
        }
        if !capabilities.env.isEmpty || capabilities.anyEnv {
            host["env"] = .function(
                vm.makeFunction(named: "host.env") { arguments in
                    guard let name = arguments.first?.stringValue else { throw LuaHostError("expects a variable name") }
                    // The same rules as a real run: undeclared names refused, secrets withheld.
                    let environment = SourceEnvironment(variables: recording.environment)
                    return [try environment.value(name, capabilities: capabilities).map { .string(LuaString($0)) } ?? .nil]
                })
        }
        return .table(host)
    }
}
