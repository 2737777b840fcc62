#ifndef EVICTOR_CLUA_SHIM_INTERNAL_H
#define EVICTOR_CLUA_SHIM_INTERNAL_H

// Shared between the shim's C files; not part of the module's public interface.

#include <stdint.h>
#include <lua.h>

/// Counts `units` of work done inside a C library function against the running call's
/// instruction budget, then checks every limit (memory, cancellation, budget, clock). Raises
/// the stop error, located at the calling Lua line, when one is reached. Library functions
/// whose loops run without executing Lua instructions call this, because the count hook
/// never fires inside C.
void evictor_charge(lua_State *L, uint64_t units);

/// Replaces the standard library functions whose C loops can outlast every limit (pattern
/// matching, `string.rep` of an empty piece, `table.move/insert/remove` over huge ranges) with
/// versions that charge their work (see CLuaShimLibrary.c).
void evictor_install_bounded_library(lua_State *L);

#endif
