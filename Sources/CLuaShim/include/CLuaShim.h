#ifndef EVICTOR_CLUA_SHIM_H
#define EVICTOR_CLUA_SHIM_H

/// CLuaShim: the only C that Evictor owns.
///
/// 1. Lua's function-like macros as real functions (`clua_*`), because Swift cannot import them.
/// 2. A controlled Lua state (`evictor_vm_*`): a counting allocator with a memory cap, a count
///    hook enforcing an instruction budget, a wall-clock deadline and cancellation, a traceback
///    message handler, and a protected call that is the only way Swift runs Lua code.
/// 3. The host-function trampoline: Swift host functions never raise Lua errors themselves.
///    They return a sentinel and leave a message on the stack; the C trampoline raises it.
///    No longjmp ever crosses a Swift frame.
///
/// While Swift holds the state (outside `evictor_vm_pcall`/`evictor_vm_load`, and inside a host
/// function) the allocator never fails, so the non-raising API used from Swift cannot longjmp
/// on memory errors either; the cap is enforced the moment Lua code runs again.

#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - Macros as functions

static inline int clua_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int clua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int clua_ridx_globals(void) { return LUA_RIDX_GLOBALS; }
static inline int clua_multret(void) { return LUA_MULTRET; }
static inline int clua_noref(void) { return LUA_NOREF; }
static inline int clua_refnil(void) { return LUA_REFNIL; }
static inline void clua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline void clua_newtable(lua_State *L) { lua_newtable(L); }
static inline void clua_insert(lua_State *L, int idx) { lua_insert(L, idx); }
static inline void clua_remove(lua_State *L, int idx) { lua_remove(L, idx); }
static inline void clua_replace(lua_State *L, int idx) { lua_replace(L, idx); }
static inline void clua_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline const char *clua_tostring(lua_State *L, int idx) { return lua_tostring(L, idx); }
static inline lua_Number clua_tonumber(lua_State *L, int idx) { return lua_tonumber(L, idx); }
static inline lua_Integer clua_tointeger(lua_State *L, int idx) { return lua_tointeger(L, idx); }
static inline int clua_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
static inline int clua_gc_collect(lua_State *L) { return lua_gc(L, LUA_GCCOLLECT); }
static inline const char *clua_typename_at(lua_State *L, int idx) { return luaL_typename(L, idx); }

// MARK: - Controlled state

/// Why the last protected call was stopped by the engine (not by an ordinary Lua error).
typedef enum evictor_stop_reason {
    EVICTOR_STOP_NONE = 0,
    EVICTOR_STOP_MEMORY = 1,
    EVICTOR_STOP_BUDGET = 2,
    EVICTOR_STOP_DEADLINE = 3,
    EVICTOR_STOP_CANCELLED = 4,
} evictor_stop_reason;

/// Swift's side of the trampoline. Returns the number of results pushed, or -1 after pushing
/// an error message string (the trampoline then raises it with the caller's position).
typedef int (*evictor_host_dispatch)(lua_State *L, void *context);

/// Instructions between two checks of the count hook.
#define EVICTOR_HOOK_INTERVAL 1000

/// Creates a state with the counting allocator. `memory_limit` 0 means no cap.
/// Returns NULL when the C allocator itself fails.
lua_State *evictor_vm_new(size_t memory_limit, evictor_host_dispatch dispatch);
/// Closes the state and frees its control block.
void evictor_vm_close(lua_State *L);

/// Opens the libraries a sandbox starts from: base, package, coroutine, table, string, math,
/// utf8 and os (trimmed afterwards by the Swift prelude). Never io or debug. The string and
/// table functions whose C loops could outlast the limits are replaced by bounded versions
/// (CLuaShimLibrary.c).
void evictor_vm_open_safe_libs(lua_State *L);

size_t evictor_vm_memory_used(lua_State *L);
size_t evictor_vm_memory_peak(lua_State *L);
size_t evictor_vm_memory_limit(lua_State *L);

/// Budget for each following protected call: 0 instructions or 0 seconds means no limit.
void evictor_vm_set_call_limits(lua_State *L, uint64_t instructions, double seconds);
/// The serial number the next protected call will run under.
uint64_t evictor_vm_next_call_serial(lua_State *L);
/// The state's control block, for `evictor_vm_cancel` from another thread.
void *evictor_vm_control(lua_State *L);
/// Asks the protected call with this serial number to stop, if it is running or has not yet
/// started. Safe from any thread; a late request for a call that ended does nothing.
void evictor_vm_cancel(void *control, uint64_t call_serial);
/// Instructions executed by the last protected call (in steps of EVICTOR_HOOK_INTERVAL).
uint64_t evictor_vm_instructions(lua_State *L);
/// Why the last protected call was stopped, and where ("file:line", may be empty).
evictor_stop_reason evictor_vm_stop_reason(lua_State *L);
const char *evictor_vm_stop_location(lua_State *L);

/// For host functions doing long work (a regular expression on a large text): whether the
/// running call was cancelled or is past its time limit. When it returns 1 the stop is
/// recorded; the host function should give up (return or fail), and the trampoline then
/// raises the stop error at the calling Lua line instead of the host function's result.
int evictor_vm_host_should_stop(lua_State *L);

/// Loads a text chunk (binary chunks refused) under the memory cap. Same results as lua_load.
int evictor_vm_load(lua_State *L, const char *buffer, size_t size, const char *chunkname);

/// Calls the function below `nargs` arguments under the limits with the traceback handler.
/// Errors come back as "message\nstack traceback:\n..." strings.
int evictor_vm_pcall(lua_State *L, int nargs, int nresults);

/// Pushes a C closure that calls the dispatcher with `context`.
void evictor_vm_push_host_function(lua_State *L, void *context);

/// Pushes `raise(message [, fallback])` for the engine's own Lua chunks: raises `message` at
/// the innermost line of a plugin file ("@" chunk) on the stack, or at `fallback`
/// ("file:line") when no plugin function is on the stack (a tail call dropped its frame).
void evictor_vm_push_raise_function(lua_State *L);

#ifdef __cplusplus
}
#endif

#endif
