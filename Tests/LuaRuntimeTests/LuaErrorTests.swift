import Foundation
import Testing
@testable import LuaRuntime

@Suite("Errors name the file and line")
struct LuaErrorTests {
    @Test("a syntax error names the file and the line")
    func syntaxError() throws {
        let vm = try LuaVM()
        let error = #expect(throws: LuaError.self) {
            try vm.load(string: "local a = 1\nlocal b = = 2\n", chunkName: "@policies/broken.lua")
        }
        guard case .syntax(let chunk, let line, let message)? = error else {
            Issue.record("expected syntax error, got \(String(describing: error))")
            return
        }
        #expect(chunk == "policies/broken.lua")
        #expect(line == 2)
        #expect(message.contains("unexpected symbol"))
        #expect(error?.description.hasPrefix("policies/broken.lua:2: syntax error:") == true)
    }

    @Test("a file that does not exist is one clear error")
    func missingFile() throws {
        let vm = try LuaVM()
        let error = #expect(throws: LuaError.self) { try vm.load(file: "/nonexistent/policy.lua") }
        #expect(error?.description == "/nonexistent/policy.lua: cannot read: no such file")
    }

    @Test("files load with their display name")
    func fileChunks() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-\(UUID().uuidString).lua")
        try "return 1 +\n\n error('boom')".write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let vm = try LuaVM()
        let chunk = try vm.load(file: url.path, displayName: "policies/boom.lua")
        let error = #expect(throws: LuaError.self) { try vm.call(chunk) }
        #expect(error?.description == "policies/boom.lua:3: boom")
    }

    @Test("runtime errors carry message and traceback; non-string errors are described")
    func runtimeErrors() throws {
        let vm = try LuaVM()
        let chunk = try vm.load(
            string: "local function inner() local x = nil; return x.field end\nlocal v = inner()\nreturn v", chunkName: "@policies/nil.lua")
        let error = #expect(throws: LuaError.self) { try vm.call(chunk) }
        guard case .runtime(let message, let traceback)? = error else {
            Issue.record("expected runtime error")
            return
        }
        #expect(message.hasPrefix("policies/nil.lua:1: attempt to index a nil value"))
        #expect(traceback.contains("policies/nil.lua:2"))
        #expect(traceback.contains("inner"))
        let tableError = try vm.load(string: "error({code = 1})", chunkName: "@t.lua")
        let described = #expect(throws: LuaError.self) { try vm.call(tableError) }
        #expect(described?.description == "t.lua:1: (error object is a table value)")
    }

    @Test("the engine's Lua raises at the plugin's calling line, or at its fallback after a tail call")
    func engineRaise() throws {
        let vm = try LuaVM()
        // An engine chunk defines `check`, which raises misuse with `raise`; the plugin calls it.
        _ = try vm.runEngineChunk(
            named: "check.lua",
            source: """
                local raise = ...
                function check(value)
                  if type(value) ~= "string" then raise("check: expects a string (got " .. type(value) .. ")", "plugin.lua:1") end
                  return value
                end
                function through(f, ...) local result = f(...) return result end
                """)
        let plugin = try vm.load(string: "local function run(v)\n  check(v)\n  return 'ok'\nend\nreturn run", chunkName: "@plugin.lua")
        guard case .function(let run)? = try vm.call(plugin).first else { throw LuaError.setupFailed("no function") }
        #expect(try vm.call(run, ["fine"]) == ["ok"])
        let direct = #expect(throws: LuaError.self) { try vm.call(run, [42]) }
        #expect(direct?.description == "plugin.lua:2: check: expects a string (got number)")
        // Called from the plugin through more engine frames: still the plugin's line.
        let nested = try vm.load(string: "local x = 1\nthrough(check, {})", chunkName: "@nested.lua")
        let deeper = #expect(throws: LuaError.self) { try vm.call(nested) }
        #expect(deeper?.description == "nested.lua:2: check: expects a string (got table)")
        // A tail call drops the plugin's only frame: the fallback names the position.
        let tail = try vm.load(string: "return check(false)", chunkName: "@tail.lua")
        let fallback = #expect(throws: LuaError.self) { try vm.call(tail) }
        #expect(fallback?.description == "plugin.lua:1: check: expects a string (got boolean)")
        // The engine's own lines are named after its file.
        let bug = try vm.runEngineChunk(named: "bug.lua", source: "return function() local t = nil\n return t.x end")
        guard case .function(let broken)? = bug.first else { throw LuaError.setupFailed("no function") }
        let engineError = #expect(throws: LuaError.self) { try vm.call(broken) }
        #expect(engineError?.description.hasPrefix("evictor/bug.lua:2: attempt to index a nil value") == true)
    }
}
