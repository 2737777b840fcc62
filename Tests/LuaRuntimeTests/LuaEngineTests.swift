import Testing
@testable import LuaRuntime

@Suite("The engine actor owns the VM")
struct LuaEngineTests {
    @Test("calls run on the engine and return values")
    func basicCalls() async throws {
        let engine = try LuaEngine()
        await engine.register(function: "host.add") { arguments in
            [.integer(arguments.compactMap(\.integerValue).reduce(0, +))]
        }
        let chunk = try await engine.load(string: "return host.add(20, 22)", chunkName: "=add")
        #expect(try await engine.call(chunk) == [42])
    }

    @Test("cancelling the task stops a running Lua call, and the engine goes on")
    func cancellation() async throws {
        let engine = try LuaEngine(limits: LuaLimits(instructionsPerCall: 0, secondsPerCall: 0))
        let loop = try await engine.load(string: "while true do end", chunkName: "@policies/forever.lua")
        let task = Task { try await engine.call(loop) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let result = await task.result
        guard case .failure(let error) = result, case .cancelled(let location)? = error as? LuaError else {
            Issue.record("expected cancellation, got \(result)")
            return
        }
        #expect(location.hasPrefix("policies/forever.lua"))
        let ok = try await engine.load(string: "return 'alive'", chunkName: "=ok")
        #expect(try await engine.call(ok) == ["alive"])
    }

    @Test("several engines run side by side")
    func parallelEngines() async throws {
        try await withThrowingTaskGroup(of: [LuaValue].self) { group in
            for index in 0..<4 {
                group.addTask {
                    let engine = try LuaEngine()
                    let chunk = try await engine.load(string: "local s = 0 for i = 1, 100000 do s = s + i end return s + \(index)", chunkName: "=sum")
                    return try await engine.call(chunk)
                }
            }
            var total: Int64 = 0
            for try await results in group { total += results.first?.integerValue ?? 0 }
            #expect(total == 4 * 5_000_050_000 + 6)
        }
    }
}
