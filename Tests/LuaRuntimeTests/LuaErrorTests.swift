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
        let chunk = try vm.load(string: "local function inner() local x = nil; return x.field end\nlocal v = inner()\nreturn v", chunkName: "@policies/nil.lua")
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
}
