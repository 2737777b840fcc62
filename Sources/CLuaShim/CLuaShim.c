#include "CLuaShim.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// Per-state control block: the allocator's userdata, also found by hooks and trampolines.
typedef struct evictor_control {
    size_t used;
    size_t peak;
    size_t limit;
    /// Non-zero while Swift code holds the state: the allocator then never refuses.
    int swift_owns;
    int memory_exceeded;
    uint64_t instruction_budget;
    uint64_t instructions;
    double seconds_per_call;
    double deadline;
    uint64_t call_serial;
    _Atomic uint64_t cancel_serial;
    evictor_stop_reason stop_reason;
    char stop_location[256];
    evictor_host_dispatch dispatch;
} evictor_control;

static evictor_control *control_of(lua_State *L) {
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return (evictor_control *)ud;
}

static double monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// MARK: - Counting allocator

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    evictor_control *c = (evictor_control *)ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        c->used -= old;
        return NULL;
    }
    if (nsize > old && c->limit != 0 && !c->swift_owns) {
        size_t grow = nsize - old;
        if (c->used + grow > c->limit || c->used + grow < c->used) {
            c->memory_exceeded = 1;
            return NULL;
        }
    }
    void *p = realloc(ptr, nsize);
    if (p == NULL) return NULL;
    c->used = c->used - old + nsize;
    if (c->used > c->peak) c->peak = c->used;
    return p;
}

// MARK: - Count hook

static const char *stop_message(evictor_control *c, char *buffer, size_t size) {
    switch (c->stop_reason) {
    case EVICTOR_STOP_MEMORY:
        snprintf(buffer, size, "memory limit of %zu bytes exceeded", c->limit);
        return buffer;
    case EVICTOR_STOP_BUDGET:
        snprintf(buffer, size, "instruction budget of %llu exceeded",
                 (unsigned long long)c->instruction_budget);
        return buffer;
    case EVICTOR_STOP_DEADLINE:
        snprintf(buffer, size, "time limit of %.3g seconds exceeded", c->seconds_per_call);
        return buffer;
    case EVICTOR_STOP_CANCELLED:
        return "cancelled";
    default:
        return "stopped";
    }
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    evictor_control *c = control_of(L);
    c->instructions += EVICTOR_HOOK_INTERVAL;
    evictor_stop_reason reason = c->stop_reason;
    if (reason == EVICTOR_STOP_NONE) {
        if (c->memory_exceeded) reason = EVICTOR_STOP_MEMORY;
        else if (atomic_load(&c->cancel_serial) == c->call_serial) reason = EVICTOR_STOP_CANCELLED;
        else if (c->instruction_budget != 0 && c->instructions > c->instruction_budget)
            reason = EVICTOR_STOP_BUDGET;
        else if (c->deadline > 0 && monotonic_seconds() > c->deadline)
            reason = EVICTOR_STOP_DEADLINE;
        if (reason == EVICTOR_STOP_NONE) return;
        c->stop_reason = reason;
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
            snprintf(c->stop_location, sizeof c->stop_location, "%s:%d", ar->short_src, ar->currentline);
        else if (lua_getinfo(L, "S", ar))
            snprintf(c->stop_location, sizeof c->stop_location, "%s", ar->short_src);
    }
    // Sticky: from now on every hook in this call raises, so pcall/xpcall/coroutines in the
    // script cannot swallow the stop and carry on.
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    char buffer[160];
    if (c->stop_location[0] != '\0')
        lua_pushfstring(L, "%s: %s", c->stop_location, stop_message(c, buffer, sizeof buffer));
    else
        lua_pushstring(L, stop_message(c, buffer, sizeof buffer));
    lua_error(L);
}

// MARK: - Traceback handler

static int traceback_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

// MARK: - Guarded xpcall

// An error raised from the count hook runs the message handler while Lua's hooks are still
// disabled (we are inside the hook). A script's handler could then loop forever unchecked.
// The sandbox's xpcall therefore wraps the handler: once the engine has stopped the call,
// the script's handler is skipped and the stop error travels on unchanged.
static int guarded_message_handler(lua_State *L) {
    if (control_of(L)->stop_reason != EVICTOR_STOP_NONE) return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int finish_xpcall(lua_State *L, int status, lua_KContext extra) {
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int guarded_xpcall(lua_State *L) {
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_message_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_xpcall);
    return finish_xpcall(L, status, 2);
}

// MARK: - Public entry points

lua_State *evictor_vm_new(size_t memory_limit, evictor_host_dispatch dispatch) {
    evictor_control *c = calloc(1, sizeof(evictor_control));
    if (c == NULL) return NULL;
    c->limit = memory_limit;
    c->swift_owns = 1;
    c->dispatch = dispatch;
    atomic_init(&c->cancel_serial, 0);
    lua_State *L = lua_newstate(counting_alloc, c);
    if (L == NULL) {
        free(c);
        return NULL;
    }
    lua_sethook(L, count_hook, LUA_MASKCOUNT, EVICTOR_HOOK_INTERVAL);
    return L;
}

void evictor_vm_close(lua_State *L) {
    evictor_control *c = control_of(L);
    c->swift_owns = 1;
    lua_close(L);
    free(c);
}

void evictor_vm_open_safe_libs(lua_State *L) {
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},
        {LUA_LOADLIBNAME, luaopen_package},
        {LUA_COLIBNAME, luaopen_coroutine},
        {LUA_TABLIBNAME, luaopen_table},
        {LUA_STRLIBNAME, luaopen_string},
        {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},
        {LUA_OSLIBNAME, luaopen_os},
        {NULL, NULL},
    };
    for (const luaL_Reg *lib = libs; lib->func != NULL; lib++) {
        luaL_requiref(L, lib->name, lib->func, 1);
        lua_pop(L, 1);
    }
    lua_pushcfunction(L, guarded_xpcall);
    lua_setglobal(L, "xpcall");
}

size_t evictor_vm_memory_used(lua_State *L) { return control_of(L)->used; }
size_t evictor_vm_memory_peak(lua_State *L) { return control_of(L)->peak; }
size_t evictor_vm_memory_limit(lua_State *L) { return control_of(L)->limit; }

void evictor_vm_set_call_limits(lua_State *L, uint64_t instructions, double seconds) {
    evictor_control *c = control_of(L);
    c->instruction_budget = instructions;
    c->seconds_per_call = seconds;
}

uint64_t evictor_vm_next_call_serial(lua_State *L) { return control_of(L)->call_serial + 1; }
void *evictor_vm_control(lua_State *L) { return control_of(L); }
void evictor_vm_cancel(void *control, uint64_t call_serial) {
    atomic_store(&((evictor_control *)control)->cancel_serial, call_serial);
}

uint64_t evictor_vm_instructions(lua_State *L) { return control_of(L)->instructions; }
evictor_stop_reason evictor_vm_stop_reason(lua_State *L) { return control_of(L)->stop_reason; }
const char *evictor_vm_stop_location(lua_State *L) { return control_of(L)->stop_location; }

static void begin_guarded(evictor_control *c) {
    c->stop_reason = EVICTOR_STOP_NONE;
    c->stop_location[0] = '\0';
    c->memory_exceeded = 0;
    c->instructions = 0;
    c->deadline = c->seconds_per_call > 0 ? monotonic_seconds() + c->seconds_per_call : 0;
    c->swift_owns = 0;
}

int evictor_vm_load(lua_State *L, const char *buffer, size_t size, const char *chunkname) {
    evictor_control *c = control_of(L);
    begin_guarded(c);
    int status = luaL_loadbufferx(L, buffer, size, chunkname, "t");
    c->swift_owns = 1;
    if (status != LUA_OK && c->memory_exceeded) c->stop_reason = EVICTOR_STOP_MEMORY;
    return status;
}

int evictor_vm_pcall(lua_State *L, int nargs, int nresults) {
    evictor_control *c = control_of(L);
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, base);
    lua_sethook(L, count_hook, LUA_MASKCOUNT, EVICTOR_HOOK_INTERVAL);
    c->call_serial += 1;
    begin_guarded(c);
    if (atomic_load(&c->cancel_serial) == c->call_serial) {
        // Cancelled before Lua started: do not run any of it.
        c->stop_reason = EVICTOR_STOP_CANCELLED;
        c->swift_owns = 1;
        lua_settop(L, base - 1);
        lua_pushstring(L, "cancelled");
        return LUA_ERRRUN;
    }
    int status = lua_pcall(L, nargs, nresults, base);
    c->swift_owns = 1;
    if (status != LUA_OK && c->stop_reason == EVICTOR_STOP_NONE && c->memory_exceeded)
        c->stop_reason = EVICTOR_STOP_MEMORY;
    lua_remove(L, base);
    return status;
}

// MARK: - Host function trampoline

static int host_trampoline(lua_State *L) {
    evictor_control *c = control_of(L);
    void *context = lua_touserdata(L, lua_upvalueindex(1));
    int saved = c->swift_owns;
    c->swift_owns = 1;
    int results = c->dispatch(L, context);
    c->swift_owns = saved;
    if (results < 0) {
        // The Swift frame has returned: raising here only unwinds C and Lua frames.
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    return results;
}

void evictor_vm_push_host_function(lua_State *L, void *context) {
    lua_pushlightuserdata(L, context);
    lua_pushcclosure(L, host_trampoline, 1);
}
