import Foundation
import Testing
@testable import LuaRuntime

@Suite("Limits stop runaway scripts; the process and the VM survive")
struct LuaLimitsTests {
    @Test("while true do end stops with the budget error quickly, and the VM still works")
    func endlessLoop() throws {
        let vm = try LuaVM(limits: LuaLimits(instructionsPerCall: 5_000_000, secondsPerCall: 0))
        let loop = try vm.load(string: "local n = 0\nwhile true do n = n + 1 end", chunkName: "@policies/loop.lua")
        let started = ContinuousClock.now
        #expect {
            _ = try vm.call(loop)
        } throws: { error in
            guard case .budgetExceeded(let detail, let location) = error as? LuaError else { return false }
            return detail.contains("instruction budget") && location.hasPrefix("policies/loop.lua:2")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        let ok = try vm.load(string: "return 1 + 1", chunkName: "=ok")
        #expect(try vm.call(ok) == [2])
    }

    @Test("the budget cannot be swallowed by pcall, xpcall or coroutines")
    func stickyStop() throws {
        let vm = try LuaVM(limits: LuaLimits(instructionsPerCall: 2_000_000, secondsPerCall: 0))
        let sources = [
            "while true do pcall(function() while true do end end) end",
            "while true do xpcall(function() while true do end end, function(m) return m end) end",
            "local co = coroutine.wrap(function() while true do end end)\nwhile true do pcall(co) end",
            "xpcall(function() error('x') end, function() while true do end end)\nwhile true do end",
            "xpcall(function() while true do end end, function() while true do end end)",
            "local t <close> = setmetatable({}, {__close = function() while true do end end})\nwhile true do end",
        ]
        for (index, source) in sources.enumerated() {
            let chunk = try vm.load(string: source, chunkName: "@evasive\(index).lua")
            #expect(throws: LuaError.self) { try vm.call(chunk) }
            let error = #expect(throws: LuaError.self) { try vm.call(chunk) }
            if case .budgetExceeded = error {} else { Issue.record("expected budget error, got \(String(describing: error))") }
        }
    }

    @Test("finalizers (which run with hooks off) are refused")
    func finalizers() throws {
        let vm = try LuaVM(limits: LuaLimits(instructionsPerCall: 2_000_000, secondsPerCall: 0))
        let chunk = try vm.load(string: "setmetatable({}, {__gc = function() while true do end end})", chunkName: "@gc.lua")
        let error = #expect(throws: LuaError.self) { try vm.call(chunk) }
        #expect(error?.description.contains("__gc metamethods are not allowed") == true)
    }

    @Test("a wall-clock deadline stops a call")
    func deadline() throws {
        let vm = try LuaVM(limits: LuaLimits(instructionsPerCall: 0, secondsPerCall: 0.2))
        let loop = try vm.load(string: "while true do end", chunkName: "@slow.lua")
        let started = ContinuousClock.now
        let error = #expect(throws: LuaError.self) { try vm.call(loop) }
        #expect(error?.description.contains("time limit") == true)
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test("an allocation loop stops with the memory error; the process and the VM survive")
    func memoryBomb() throws {
        let limit = 32 << 20
        let vm = try LuaVM(limits: LuaLimits(memoryBytes: limit))
        let bomb = try vm.load(string: "local t = {}\nwhile true do t[#t + 1] = string.rep('x', 1024) .. #t end", chunkName: "@policies/bomb.lua")
        let error = #expect(throws: LuaError.self) { try vm.call(bomb) }
        guard case .outOfMemory(let reportedLimit, let location)? = error else {
            Issue.record("expected out of memory, got \(String(describing: error))")
            return
        }
        #expect(reportedLimit == limit)
        #expect(location.contains("policies/bomb.lua"))
        vm.collectGarbage()
        #expect(vm.memoryInUse < limit / 2)
        let ok = try vm.load(string: "return #string.rep('y', 1000)", chunkName: "=ok")
        #expect(try vm.call(ok) == [1000])
    }

    @Test("one huge allocation is refused, and pcall cannot keep the script going")
    func hugeAllocation() throws {
        let vm = try LuaVM(limits: LuaLimits(memoryBytes: 16 << 20))
        let huge = try vm.load(string: "return string.rep('x', 1 << 28)", chunkName: "@huge.lua")
        #expect {
            _ = try vm.call(huge)
        } throws: { error in
            if case .outOfMemory = error as? LuaError { return true }
            return false
        }
        let swallowing = try vm.load(string: "while true do pcall(string.rep, 'x', 1 << 30) end", chunkName: "@swallow.lua")
        let error = #expect(throws: LuaError.self) { try vm.call(swallowing) }
        if case .outOfMemory = error {} else { Issue.record("expected out of memory, got \(String(describing: error))") }
    }

    @Test("a fresh VM works after another one blew its limits")
    func freshVM() throws {
        do {
            let vm = try LuaVM(limits: LuaLimits(memoryBytes: 8 << 20))
            let bomb = try vm.load(string: "local s = 'x' while true do s = s .. s end", chunkName: "=bomb")
            #expect(throws: LuaError.self) { try vm.call(bomb) }
        }
        let fresh = try LuaVM()
        #expect(try fresh.call(try fresh.load(string: "return 'ok'", chunkName: "=ok")) == ["ok"])
    }

    @Test("100,000 Swift-to-Lua calls keep memory flat")
    func manyCallsFlatMemory() throws {
        let vm = try LuaVM()
        vm.register(function: "host.echo") { arguments in arguments }
        let chunk = try vm.load(
            string: """
                return function(n, s, t) local r = host.echo(n, s, t); return r, #s, t.k end
                """, chunkName: "=many")
        guard case .function(let function)? = try vm.call(chunk).first else {
            Issue.record("no function")
            return
        }
        func run(_ count: Int) throws {
            for i in 0..<count {
                let results = try vm.call(function, [.integer(Int64(i)), .string(LuaString("payload \(i)")), ["k": "v"]])
                if results.count != 3 { Issue.record("bad results") }
            }
        }
        try run(10_000)
        vm.collectGarbage()
        let luaBefore = vm.memoryInUse
        func residentGrowth() throws -> Int {
            let before = ResidentMemory.bytes()
            try run(100_000)
            vm.collectGarbage()
            return ResidentMemory.bytes() - before
        }
        var growth = try residentGrowth()
        let luaAfter = vm.memoryInUse
        #expect(luaAfter - luaBefore < 64 * 1024, "Lua heap grew by \(luaAfter - luaBefore) bytes")
        // Resident memory is process-wide and other tests run in parallel (one copies an 80 MiB
        // blob), so this bound is loose: it still catches any per-call leak of 640 bytes or
        // more. Another test's allocation does not repeat in a second measure; a leak does.
        if growth >= 64 << 20 { growth = try residentGrowth() }
        #expect(growth < 64 << 20, "resident memory grew by \(growth) bytes")
    }
}

/// The process's resident set size, from /proc/self/statm.
enum ResidentMemory {
    static func bytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
