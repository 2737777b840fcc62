#include "CLuaShim.h"
#include "CLuaShimInternal.h"

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
    /// The state's main thread, to say where Lua was when the allocator refused memory.
    lua_State *main;
    /// The base library's `error` and `assert`: a message they raise is the script's choice.
    lua_CFunction error_function;
    lua_CFunction assert_function;
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

/// Writes "file:line" for the innermost running Lua function at or above stack `level`,
/// preferring functions of file chunks ("@path": plugins, policies) over the engine's own
/// "=name" chunks, which are only used when `files_only` is 0. Writes an empty string when
/// no such function on the stack has a line.
static void locate_in(lua_State *L, int level, char *out, size_t size, int files_only) {
    lua_Debug ar;
    int found = files_only;
    out[0] = '\0';
    for (; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;
        if (ar.source != NULL && ar.source[0] == '@') {
            snprintf(out, size, "%s:%d", ar.short_src, ar.currentline);
            return;
        }
        if (!found) {
            snprintf(out, size, "%s:%d", ar.short_src, ar.currentline);
            found = 1;
        }
    }
}

static void locate(lua_State *L, int level, char *out, size_t size) {
    locate_in(L, level, out, size, 0);
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
            // A refused allocation raises LUA_ERRMEM, which runs no message handler: remember
            // now where the script was, or the error could only name the called function.
            // (lua_getstack/lua_getinfo "Sl" only read the stack; they never allocate.)
            if (c->main != NULL && c->stop_location[0] == '\0')
                locate(c->main, 0, c->stop_location, sizeof c->stop_location);
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

/// The limit the running call has just run into, if any (memory, cancellation, budget, clock).
static evictor_stop_reason pending_stop(evictor_control *c) {
    if (c->memory_exceeded) return EVICTOR_STOP_MEMORY;
    if (atomic_load(&c->cancel_serial) == c->call_serial) return EVICTOR_STOP_CANCELLED;
    if (c->instruction_budget != 0 && c->instructions > c->instruction_budget) return EVICTOR_STOP_BUDGET;
    if (c->deadline > 0 && monotonic_seconds() > c->deadline) return EVICTOR_STOP_DEADLINE;
    return EVICTOR_STOP_NONE;
}

static void count_hook(lua_State *L, lua_Debug *ar);

/// Raises the stop error of the call (its reason must be set) at its recorded location.
static int raise_stop(lua_State *L, evictor_control *c) {
    // Sticky: from now on every hook in this call raises, so pcall/xpcall/coroutines in the
    // script cannot swallow the stop and carry on.
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    char buffer[160];
    if (c->stop_location[0] != '\0')
        lua_pushfstring(L, "%s: %s", c->stop_location, stop_message(c, buffer, sizeof buffer));
    else
        lua_pushstring(L, stop_message(c, buffer, sizeof buffer));
    return lua_error(L);
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    evictor_control *c = control_of(L);
    c->instructions += EVICTOR_HOOK_INTERVAL;
    if (c->stop_reason == EVICTOR_STOP_NONE) {
        evictor_stop_reason reason = pending_stop(c);
        if (reason == EVICTOR_STOP_NONE) {
            // A coroutine left in sticky mode by an earlier, stopped call: back to normal.
            if (lua_gethookcount(L) != EVICTOR_HOOK_INTERVAL)
                lua_sethook(L, count_hook, LUA_MASKCOUNT, EVICTOR_HOOK_INTERVAL);
            return;
        }
        c->stop_reason = reason;
        if (c->stop_location[0] == '\0') locate(L, 0, c->stop_location, sizeof c->stop_location);
    }
    raise_stop(L, c);
}

void evictor_charge(lua_State *L, uint64_t units) {
    evictor_control *c = control_of(L);
    if (c->swift_owns) return;
    c->instructions = UINT64_MAX - c->instructions < units ? UINT64_MAX : c->instructions + units;
    if (c->stop_reason == EVICTOR_STOP_NONE) {
        evictor_stop_reason reason = pending_stop(c);
        if (reason == EVICTOR_STOP_NONE) return;
        c->stop_reason = reason;
        if (c->stop_location[0] == '\0') locate(L, 0, c->stop_location, sizeof c->stop_location);
    }
    raise_stop(L, c);
}

int evictor_vm_host_should_stop(lua_State *L) {
    evictor_control *c = control_of(L);
    if (c->stop_reason != EVICTOR_STOP_NONE) return 1;
    evictor_stop_reason reason = EVICTOR_STOP_NONE;
    if (atomic_load(&c->cancel_serial) == c->call_serial) reason = EVICTOR_STOP_CANCELLED;
    else if (c->deadline > 0 && monotonic_seconds() > c->deadline) reason = EVICTOR_STOP_DEADLINE;
    if (reason == EVICTOR_STOP_NONE) return 0;
    // The trampoline raises the stop (at the caller's line) when the host function returns.
    c->stop_reason = reason;
    return 1;
}

// MARK: - Traceback handler

/// Whether a message already starts with a position such as "policies/x.lua:12:" (as
/// `error` adds at level 1): a ':' followed by digits and another ':' on the first line.
static int has_position(const char *msg) {
    for (const char *p = msg; *p != '\0' && *p != '\n'; p++) {
        if (*p != ':') continue;
        const char *q = p + 1;
        while (*q >= '0' && *q <= '9') q++;
        if (q > p + 1 && *q == ':') return 1;
    }
    return 0;
}

/// Whether the function that raised the error (stack level 1 in a message handler) is
/// `error` or `assert`, whose string message is exactly what the script chose to say.
static int raised_as_chosen(lua_State *L) {
    evictor_control *c = control_of(L);
    lua_Debug ar;
    if (!lua_getstack(L, 1, &ar) || !lua_getinfo(L, "f", &ar)) return 0;
    lua_CFunction function = lua_tocfunction(L, -1);
    lua_pop(L, 1);
    return function != NULL && (function == c->error_function || function == c->assert_function);
}

// Every error that reaches the host names a file and line, unless the script chose a string
// message without one (error(msg, 0), assert(false, msg): plugins use that for clean
// messages): error objects that are not strings (tables, nil, objects whose __tostring fails
// or returns no string) and messages that library functions raise without a position
// ("attempt to yield from outside a coroutine") get the position of the innermost plugin
// function on the stack.
static int traceback_handler(lua_State *L) {
    const char *msg;
    int is_string = lua_type(L, 1) == LUA_TSTRING;
    if (is_string)
        msg = lua_tostring(L, 1);
    else if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
        msg = lua_tostring(L, -1);
    else if (lua_type(L, 1) == LUA_TNUMBER)
        msg = lua_tostring(L, 1);
    else
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    if (!has_position(msg) && !(is_string && raised_as_chosen(L))) {
        // Only plugin files: a message the engine's own Lua raises on purpose without a
        // position ("check must return a list ...") should not name the engine's lines.
        char where[256];
        locate_in(L, 1, where, sizeof where, 1);
        if (where[0] != '\0') msg = lua_pushfstring(L, "%s: %s", where, msg);
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
    c->main = L;
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
    evictor_control *c = control_of(L);
    lua_getglobal(L, "error");
    c->error_function = lua_tocfunction(L, -1);
    lua_getglobal(L, "assert");
    c->assert_function = lua_tocfunction(L, -1);
    lua_pop(L, 2);
    evictor_install_bounded_library(L);
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

/// Pushes the position a host function's error names: its caller's, as luaL_where(L, 1) gives
/// it, except when the caller is the engine's own Lua (a wrapper such as the fixer's
/// `store:tags`): then the plugin line that called the wrapper.
static void push_where(lua_State *L) {
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && ar.source != NULL && ar.source[0] != '@') {
        char where[256];
        locate_in(L, 1, where, sizeof where, 1);
        if (where[0] != '\0') {
            lua_pushfstring(L, "%s: ", where);
            return;
        }
    }
    luaL_where(L, 1);
}

static int host_trampoline(lua_State *L) {
    evictor_control *c = control_of(L);
    void *context = lua_touserdata(L, lua_upvalueindex(1));
    int saved = c->swift_owns;
    c->swift_owns = 1;
    int results = c->dispatch(L, context);
    c->swift_owns = saved;
    if (c->stop_reason != EVICTOR_STOP_NONE) {
        // The host function gave up because the call hit its time limit or was cancelled.
        if (c->stop_location[0] == '\0') locate(L, 0, c->stop_location, sizeof c->stop_location);
        return raise_stop(L, c);
    }
    if (results < 0) {
        // The Swift frame has returned: raising here only unwinds C and Lua frames.
        push_where(L);
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

// MARK: - Raising at the plugin's line

/// `raise(message [, fallback])`, for the engine's own Lua: raises `message` at the innermost
/// plugin line on the stack (the line of a file chunk's function, "@..."), which is the line
/// that called into the engine. When no plugin function is on the stack (the plugin called
/// the engine in tail position, so Lua dropped its frame) the position is `fallback`
/// ("file:line", such as where the plugin's function is defined); without either the
/// message is raised as it is. The position is chosen from the stack, never from text.
static int raise_at_plugin(lua_State *L) {
    const char *message = luaL_checkstring(L, 1);
    const char *fallback = luaL_optstring(L, 2, "");
    char where[256];
    locate_in(L, 1, where, sizeof where, 1);
    const char *position = where[0] != '\0' ? where : fallback;
    if (position[0] != '\0')
        lua_pushfstring(L, "%s: %s", position, message);
    else
        lua_pushvalue(L, 1);
    return lua_error(L);
}

void evictor_vm_push_raise_function(lua_State *L) {
    lua_pushcfunction(L, raise_at_plugin);
}
