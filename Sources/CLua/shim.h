#ifndef EVICTOR_CLUA_H
#define EVICTOR_CLUA_H
// Lua 5.4 as packaged by Debian (liblua5.4-dev): headers live in /usr/include/lua5.4,
// which pkg-config "lua5.4" puts on the include path.
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#endif
