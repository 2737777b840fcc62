import CLua
import CLuaShim
import Testing

/// Exercises the C shim directly, below LuaRuntime: the allocator, the hook, the protected call
/// and the macro wrappers.
@Suite("CLuaShim")
struct CLuaShimTests {
    private static let noDispatch: evictor_host_dispatch = { _, _ in 0 }

    /// A fresh controlled state with the safe libraries, closed after `body`.
    func withState(memoryLimit: Int = 0, _ body: (OpaquePointer) -> Void) {
        guard let L = evictor_vm_new(memoryLimit, Self.noDispatch) else {
            Issue.record("no state")
            return
        }
        defer { evictor_vm_close(L) }
        evictor_vm_open_safe_libs(L)
        body(L)
    }

    func run(_ L: OpaquePointer, _ source: String) -> Int32 {
        let status = evictor_vm_load(L, source, source.utf8.count, "=test")
        guard status == LUA_OK else { return status }
        return evictor_vm_pcall(L, 0, 1)
    }

    @Test("the counting allocator tracks usage and refuses past the cap")
    func allocator() {
        withState(memoryLimit: 4 << 20) { L in
            let baseline = evictor_vm_memory_used(L)
            #expect(baseline > 0)
            #expect(evictor_vm_memory_limit(L) == 4 << 20)
            #expect(run(L, "local t = {} for i = 1, 1e7 do t[i] = i end") == LUA_ERRMEM || evictor_vm_stop_reason(L) == EVICTOR_STOP_MEMORY)
            #expect(evictor_vm_stop_reason(L) == EVICTOR_STOP_MEMORY)
            #expect(evictor_vm_memory_peak(L) <= 4 << 20)
            clua_pop(L, 1)
            _ = clua_gc_collect(L)
            #expect(evictor_vm_memory_used(L) < 2 * baseline)
        }
    }

    @Test("the count hook enforces the instruction budget and records where")
    func budget() {
        withState { L in
            evictor_vm_set_call_limits(L, 100_000, 0)
            #expect(run(L, "while true do end") == LUA_ERRRUN)
            #expect(evictor_vm_stop_reason(L) == EVICTOR_STOP_BUDGET)
            #expect(String(cString: evictor_vm_stop_location(L)) == "test:1")
            #expect(evictor_vm_instructions(L) > 100_000)
            clua_pop(L, 1)
            // The next call starts with a fresh budget.
            #expect(run(L, "return 1") == LUA_OK)
            #expect(evictor_vm_stop_reason(L) == EVICTOR_STOP_NONE)
            #expect(clua_tointeger(L, -1) == 1)
            clua_pop(L, 1)
        }
    }

    @Test("a cancel request for the next call stops it before it runs")
    func cancelBeforeStart() {
        withState { L in
            evictor_vm_cancel(evictor_vm_control(L), evictor_vm_next_call_serial(L))
            #expect(run(L, "return 1") == LUA_ERRRUN)
            #expect(evictor_vm_stop_reason(L) == EVICTOR_STOP_CANCELLED)
            clua_pop(L, 1)
            // A stale request (for a call that already ended) does not touch the next one.
            #expect(run(L, "return 2") == LUA_OK)
            clua_pop(L, 1)
        }
    }

    @Test("binary chunks are refused by evictor_vm_load")
    func textOnly() {
        withState { L in
            let binary = "\u{1B}Lua"
            #expect(evictor_vm_load(L, binary, 4, "=bin") == LUA_ERRSYNTAX)
            #expect(String(cString: clua_tostring(L, -1)).contains("binary"))
        }
    }

    @Test("macro wrappers behave like the macros")
    func macros() {
        withState { L in
            clua_newtable(L)
            lua_pushinteger(L, 7)
            lua_pushinteger(L, 8)
            clua_insert(L, -2)
            #expect(clua_tointeger(L, -1) == 7)
            clua_remove(L, -1)
            #expect(clua_tonumber(L, -1) == 8)
            clua_pop(L, 2)
            #expect(lua_gettop(L) == 0)
            #expect(clua_isnoneornil(L, 1) != 0)
            clua_pushglobaltable(L)
            #expect(lua_type(L, -1) == LUA_TTABLE)
            #expect(clua_upvalueindex(1) == clua_registryindex() - 1)
        }
    }
}
