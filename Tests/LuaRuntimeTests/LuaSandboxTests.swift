import Foundation
import Testing
@testable import LuaRuntime

@Suite("The sandbox keeps scripts away from the machine")
struct LuaSandboxTests {
    func evaluate(_ vm: LuaVM, _ source: String) throws -> [LuaValue] {
        try vm.call(try vm.load(string: source, chunkName: "@sandboxed.lua"))
    }

    @Test("io, os.execute, debug, dofile, loadfile and string.dump are absent")
    func absentLibraries() throws {
        let vm = try LuaVM()
        let results = try evaluate(
            vm,
            """
            return io, os.execute, os.getenv, os.remove, debug, dofile, loadfile, string.dump,
                   package.loadlib, package.loaded.io, package.loaded.debug
            """)
        #expect(results.count == 11)
        #expect(results.allSatisfy { $0 == .nil })
        let present = try evaluate(
            vm, "return type(os.time()), type(string.format), type(table.sort), type(utf8.char), type(coroutine.wrap), type(math.floor)")
        #expect(present == ["number", "function", "function", "function", "function", "function"])
        #expect(throws: LuaError.self) { try evaluate(vm, "return io.open('/etc/passwd')") }
        #expect(throws: LuaError.self) { try evaluate(vm, "return os.execute('true')") }
    }

    @Test("binary chunks are refused by load and by the loader")
    func binaryChunks() throws {
        let vm = try LuaVM()
        let results = try evaluate(vm, #"return load("\27Lua\84\0garbage")"#)
        #expect(results[0] == .nil)
        #expect(results[1].stringValue?.contains("binary") == true)
        let binary: [UInt8] = [0x1B] + Array("Lua".utf8) + [0x54, 0]
        #expect(throws: LuaError.self) { try vm.load(bytes: binary, chunkName: "@evil.luac") }
        // Text chunks still load, with an environment if given.
        #expect(try evaluate(vm, "return load('return x', 'c', 'b', {x = 5})()") == [5])
    }

    @Test("require finds modules on the plugin path only")
    func requirePath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-sandbox-\(UUID().uuidString)")
        let plugins = root.appendingPathComponent("plugins")
        let outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: plugins.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "return { answer = 42 }".write(to: plugins.appendingPathComponent("lib/answers.lua"), atomically: true, encoding: .utf8)
        try "return { secret = true }".write(to: outside.appendingPathComponent("secret.lua"), atomically: true, encoding: .utf8)

        let vm = try LuaVM(sandbox: LuaSandbox(modulePaths: [plugins.path]))
        #expect(try evaluate(vm, "return require('lib.answers').answer") == [42])
        // Changing package.path does not widen the search.
        let escape = try evaluate(
            vm,
            """
            package.path = '\(outside.path)/?.lua'
            return pcall(require, 'secret')
            """)
        #expect(escape[0] == false)
        #expect(escape[1].stringValue?.contains("module 'secret' not found") == true)
        let traversal = try evaluate(vm, "return pcall(require, '../outside/secret')")
        #expect(traversal[0] == false)
        // C modules are not searched at all.
        #expect(try evaluate(vm, "return #package.searchers, package.cpath") == [2, ""])
    }

    @Test("a VM with no plugin path requires nothing")
    func noPath() throws {
        let vm = try LuaVM()
        let results = try evaluate(vm, "return pcall(require, 'string')")
        // Preloaded standard modules still resolve through package.loaded.
        #expect(results[0] == true)
        #expect(try evaluate(vm, "return (pcall(require, 'anything'))") == [false])
    }

    @Test("require finds built-in modules after the module path, a file overrides one, and a missing module is one line")
    func builtInModules() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("lib"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "return { from = 'disk' }".write(to: root.appendingPathComponent("lib/shared.lua"), atomically: true, encoding: .utf8)
        let modules = [
            LuaBuiltInModule(name: "lib.shared", displayName: "built-in:lib/shared.lua", source: "return { from = 'built-in' }"),
            LuaBuiltInModule(name: "lib.only", displayName: "built-in:lib/only.lua", source: "return { from = 'built-in', where = debug == nil }"),
            LuaBuiltInModule(name: "lib.broken", displayName: "built-in:lib/broken.lua", source: "error('boom')"),
        ]
        let vm = try LuaVM(sandbox: LuaSandbox(modulePaths: [root.path], builtInModules: modules, missingModuleHint: "; try harder"))
        #expect(
            try evaluate(vm, "return require('lib.shared').from, require('lib.only').from, require('lib.only').where") == ["disk", "built-in", true])
        let broken = try evaluate(vm, "return pcall(require, 'lib.broken')")
        #expect(broken[1].stringValue?.contains("built-in:lib/broken.lua:1: boom") == true, "\(broken)")
        let missing = try evaluate(vm, "local ok, err = pcall(function() return require('lib.nope') end) return err")
        #expect(missing == [.string(LuaString("sandboxed.lua:1: module 'lib.nope' not found (searched \(root.path), built-in); try harder"))])
        #expect(try evaluate(vm, "return #package.searchers") == [2])
        let bare = try LuaVM(sandbox: LuaSandbox(builtInModules: modules))
        #expect(try evaluate(bare, "return require('lib.shared').from") == ["built-in"])
    }

    @Test("the sandbox's Lua is compiled in from Sources/LuaRuntime/Lua, byte for byte")
    func embeddedSandbox() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/LuaRuntime/Lua").standardized
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }.sorted()
        #expect(names == EngineLua.files.keys.sorted())
        for name in names {
            #expect(EngineLua.files[name] == (try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)), "\(name)")
        }
    }
}
