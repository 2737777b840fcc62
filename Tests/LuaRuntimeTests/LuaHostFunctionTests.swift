import Testing
@testable import LuaRuntime

struct SampleHostError: Error, CustomStringConvertible {
    var description: String { "registry said no" }
}

@Suite("Swift host functions")
struct LuaHostFunctionTests {
    @Test("namespaced host functions are callable and get converted values")
    func namespaces() throws {
        let vm = try LuaVM()
        vm.register(function: "evictor.log.info") { _ in [] }
        vm.register(function: "evictor.math.sum") { arguments in
            [.integer(arguments.compactMap(\.integerValue).reduce(0, +))]
        }
        let chunk = try vm.load(string: "evictor.log.info('x'); return evictor.math.sum(1, 2, 3), type(evictor.log)", chunkName: "=ns")
        #expect(try vm.call(chunk) == [6, "table"])
    }

    @Test("a throwing host function is catchable by pcall inside Lua")
    func catchable() throws {
        let vm = try LuaVM()
        vm.register(function: "evictor.fail") { _ in throw SampleHostError() }
        let chunk = try vm.load(
            string: """
                local ok, message = pcall(function() local r = evictor.fail(1); return r end)
                return ok, message
                """, chunkName: "@policies/catch.lua")
        let results = try vm.call(chunk)
        #expect(results[0] == false)
        #expect(results[1].stringValue == "policies/catch.lua:1: evictor.fail: registry said no")
    }

    @Test("an uncaught host error is reported with file:line and a traceback")
    func uncaught() throws {
        let vm = try LuaVM()
        vm.register(function: "evictor.fail") { _ in throw LuaHostError("bad digest") }
        let chunk = try vm.load(string: "local x = 1\n\nevictor.fail()\n", chunkName: "@policies/uncaught.lua")
        let error = #expect(throws: LuaError.self) { try vm.call(chunk) }
        guard case .runtime(let message, let traceback)? = error else {
            Issue.record("expected runtime error, got \(String(describing: error))")
            return
        }
        #expect(message == "policies/uncaught.lua:3: evictor.fail: bad digest")
        #expect(traceback.contains("policies/uncaught.lua:3"))
    }

    @Test("a cyclic argument becomes a Lua error, not a crash")
    func badArgument() throws {
        let vm = try LuaVM()
        vm.register(function: "host.take") { _ in [] }
        let chunk = try vm.load(string: "local t = {}; t[1] = t; return pcall(host.take, t)", chunkName: "@arg.lua")
        let results = try vm.call(chunk)
        #expect(results[0] == false)
        #expect(results[1].stringValue?.contains("bad argument #1 to 'host.take'") == true)
    }

    @Test("host functions run inside budgets and deep call chains")
    func reentrancy() throws {
        let vm = try LuaVM()
        vm.register(function: "host.double") { arguments in [.integer((arguments.first?.integerValue ?? 0) * 2)] }
        let chunk = try vm.load(
            string: """
                local function f(n) if n == 0 then return 0 end return host.double(1) + f(n - 1) end
                return f(150)
                """, chunkName: "=deep")
        #expect(try vm.call(chunk) == [300])
    }

    @Test("print goes to the log handler")
    func printLogs() throws {
        let collected = LogCollector()
        let vm = try LuaVM(logHandler: { level, message in collected.append(level, message) })
        let chunk = try vm.load(string: "print('hello', 42, nil, true)", chunkName: "=p")
        _ = try vm.call(chunk)
        #expect(collected.lines == ["info hello\t42\tnil\ttrue"])
    }
}

/// Thread-safe log sink for tests.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLockLike()
    private var storage: [String] = []
    func append(_ level: LuaLogLevel, _ message: String) {
        lock.withLock { storage.append("\(level.rawValue) \(message)") }
    }
    var lines: [String] { lock.withLock { storage } }
}

import Synchronization
final class NSLockLike: Sendable {
    private let mutex = Mutex(())
    func withLock<T>(_ body: () -> T) -> T { mutex.withLock { _ in body() } }
}
