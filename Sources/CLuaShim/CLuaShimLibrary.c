// Standard library functions whose work happens in C loops, where Lua's count hook never
// fires: a script could otherwise spend hours in one call, beyond the instruction budget, the
// time limit and cancellation.
//
//  * string.find / match / gmatch / gsub: Lua patterns backtrack (".-.-.-x" is O(n^4)); the
//    matcher below is the one of Lua 5.4's lstrlib.c (same syntax, results and error
//    messages) with every step counted.
//  * string.rep of an empty piece loops n times for an empty result: answered at once.
//  * table.move / insert / remove loop over ranges that need no memory (nil elements, a
//    __len metamethod returning 1e15): every moved element is counted.
//
// Counted work goes to evictor_charge every CHARGE_INTERVAL units (one unit is one matcher
// step, one moved element, or 64 compared bytes); it stops the call like the hook does.
//
// The pattern matcher follows the algorithm of Lua 5.4's lstrlib.c,
// Copyright (C) 1994-2022 Lua.org, PUC-Rio, under the MIT licence.

#include "CLuaShimInternal.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>

#define CHARGE_INTERVAL 4096u

// MARK: - string.rep

/// `string.rep` that returns "" at once for an empty piece and separator (the standard one
/// loops n times copying nothing); everything else goes to the original, whose loop is
/// bounded by the memory cap (it allocates the whole result first).
static int bounded_rep(lua_State *L) {
    size_t length, separator;
    luaL_checklstring(L, 1, &length);
    lua_Integer count = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &separator);
    if (count <= 0 || (length == 0 && separator == 0)) {
        lua_pushliteral(L, "");
        return 1;
    }
    lua_CFunction original = lua_tocfunction(L, lua_upvalueindex(1));
    return original(L);
}

// MARK: - table.move / insert / remove

#define TAB_R 1
#define TAB_W 2
#define TAB_L 4
#define TAB_RW (TAB_R | TAB_W)

static int has_field(lua_State *L, const char *key, int n) {
    lua_pushstring(L, key);
    return lua_rawget(L, -n) != LUA_TNIL;
}

/// Accepts a table, or a value whose metatable has the metamethods the operation uses
/// (the standard library's rule and error message).
static void check_table(lua_State *L, int arg, int what) {
    if (lua_type(L, arg) == LUA_TTABLE) return;
    int n = 1;
    if (lua_getmetatable(L, arg) &&
        (!(what & TAB_R) || has_field(L, "__index", ++n)) &&
        (!(what & TAB_W) || has_field(L, "__newindex", ++n)) &&
        (!(what & TAB_L) || has_field(L, "__len", ++n))) {
        lua_pop(L, n);
    } else {
        luaL_checktype(L, arg, LUA_TTABLE);
    }
}

static lua_Integer length_of(lua_State *L, int arg, int what) {
    check_table(L, arg, what | TAB_L);
    return luaL_len(L, arg);
}

/// Counts one moved element; charges every CHARGE_INTERVAL of them.
static void count_move(lua_State *L, unsigned *moved) {
    if (++*moved == CHARGE_INTERVAL) {
        *moved = 0;
        evictor_charge(L, CHARGE_INTERVAL);
    }
}

/// Charges what a loop counted since its last charge (a loop run many times from Lua must not
/// escape the budget by staying under CHARGE_INTERVAL each time).
static void charge_rest(lua_State *L, size_t units) {
    if (units != 0) evictor_charge(L, units);
}

static int bounded_insert(lua_State *L) {
    lua_Integer pos;
    lua_Integer end = (lua_Integer)((lua_Unsigned)length_of(L, 1, TAB_RW) + 1u);  // first empty slot
    switch (lua_gettop(L)) {
    case 2:
        pos = end;
        break;
    case 3: {
        unsigned moved = 0;
        pos = luaL_checkinteger(L, 2);
        luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)end, 2, "position out of bounds");
        for (lua_Integer i = end; i > pos; i--) {
            lua_geti(L, 1, i - 1);
            lua_seti(L, 1, i);
            count_move(L, &moved);
        }
        charge_rest(L, moved);
        break;
    }
    default:
        return luaL_error(L, "wrong number of arguments to 'insert'");
    }
    lua_seti(L, 1, pos);
    return 0;
}

static int bounded_remove(lua_State *L) {
    unsigned moved = 0;
    lua_Integer size = length_of(L, 1, TAB_RW);
    lua_Integer pos = luaL_optinteger(L, 2, size);
    if (pos != size)
        luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 1, "position out of bounds");  // #1 as in Lua 5.4
    lua_geti(L, 1, pos);
    for (; pos < size; pos++) {
        lua_geti(L, 1, pos + 1);
        lua_seti(L, 1, pos);
        count_move(L, &moved);
    }
    charge_rest(L, moved);
    lua_pushnil(L);
    lua_seti(L, 1, pos);
    return 1;
}

static int bounded_move(lua_State *L) {
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    lua_Integer t = luaL_checkinteger(L, 4);
    int tt = !lua_isnoneornil(L, 5) ? 5 : 1;
    check_table(L, 1, TAB_R);
    check_table(L, tt, TAB_W);
    if (e >= f) {
        unsigned moved = 0;
        luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
        lua_Integer n = e - f + 1;
        luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
        if (t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ))) {
            for (lua_Integer i = 0; i < n; i++) {
                lua_geti(L, 1, f + i);
                lua_seti(L, tt, t + i);
                count_move(L, &moved);
            }
        } else {
            for (lua_Integer i = n - 1; i >= 0; i--) {
                lua_geti(L, 1, f + i);
                lua_seti(L, tt, t + i);
                count_move(L, &moved);
            }
        }
        charge_rest(L, moved);
    }
    lua_pushvalue(L, tt);
    return 1;
}

// MARK: - Pattern matching

#define MAX_CAPTURES 32
#define MAX_MATCH_DEPTH 200
#define CAP_UNFINISHED (-1)
#define CAP_POSITION (-2)
#define ESC '%'
#define SPECIALS "^$*+?.([%-"

#define uchar(c) ((unsigned char)(c))

typedef struct MatchState {
    const char *src_init;
    const char *src_end;
    const char *p_end;
    lua_State *L;
    int matchdepth;
    unsigned char level;
    /// Work since the last charge.
    size_t steps;
    struct {
        const char *init;
        ptrdiff_t len;
    } capture[MAX_CAPTURES];
} MatchState;

static const char *match(MatchState *ms, const char *s, const char *p);

/// Counts `units` of matcher work; charges every CHARGE_INTERVAL.
static void count_steps(MatchState *ms, size_t units) {
    ms->steps += units;
    if (ms->steps >= CHARGE_INTERVAL) {
        size_t charged = ms->steps;
        ms->steps = 0;
        evictor_charge(ms->L, charged);
    }
}

static int check_capture(MatchState *ms, int l) {
    l -= '1';
    if (l < 0 || l >= ms->level || ms->capture[l].len == CAP_UNFINISHED)
        return luaL_error(ms->L, "invalid capture index %%%d", l + 1);
    return l;
}

static int capture_to_close(MatchState *ms) {
    int level = ms->level;
    for (level--; level >= 0; level--)
        if (ms->capture[level].len == CAP_UNFINISHED) return level;
    return luaL_error(ms->L, "invalid pattern capture");
}

/// The end of the single-character class at `p` ('%x', '[set]' or one character).
static const char *class_end(MatchState *ms, const char *p) {
    switch (*p++) {
    case ESC:
        if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 1;
    case '[':
        if (*p == '^') p++;
        do {
            if (p == ms->p_end) luaL_error(ms->L, "malformed pattern (missing ']')");
            if (*(p++) == ESC && p < ms->p_end) p++;
        } while (*p != ']');
        return p + 1;
    default:
        return p;
    }
}

static int match_class(int c, int cl) {
    int result;
    switch (tolower(cl)) {
    case 'a': result = isalpha(c); break;
    case 'c': result = iscntrl(c); break;
    case 'd': result = isdigit(c); break;
    case 'g': result = isgraph(c); break;
    case 'l': result = islower(c); break;
    case 'p': result = ispunct(c); break;
    case 's': result = isspace(c); break;
    case 'u': result = isupper(c); break;
    case 'w': result = isalnum(c); break;
    case 'x': result = isxdigit(c); break;
    case 'z': result = (c == 0); break;  // deprecated in Lua 5.2, still accepted by 5.4
    default: return cl == c;
    }
    return islower(cl) ? result : !result;
}

/// Whether `c` is in the set `[...]` from `p` (the '[') to `ec` (the ']').
static int match_bracket_class(int c, const char *p, const char *ec) {
    int matched = 1;
    if (*(p + 1) == '^') {
        matched = 0;
        p++;
    }
    while (++p < ec) {
        if (*p == ESC) {
            p++;
            if (match_class(c, uchar(*p))) return matched;
        } else if (*(p + 1) == '-' && p + 2 < ec) {
            p += 2;
            if (uchar(*(p - 2)) <= c && c <= uchar(*p)) return matched;
        } else if (uchar(*p) == c) {
            return matched;
        }
    }
    return !matched;
}

static int single_match(MatchState *ms, const char *s, const char *p, const char *ep) {
    count_steps(ms, 1);
    if (s >= ms->src_end) return 0;
    int c = uchar(*s);
    switch (*p) {
    case '.': return 1;
    case ESC: return match_class(c, uchar(*(p + 1)));
    case '[': return match_bracket_class(c, p, ep - 1);
    default: return uchar(*p) == c;
    }
}

static const char *match_balance(MatchState *ms, const char *s, const char *p) {
    if (p >= ms->p_end - 1) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (*s != *p) return NULL;
    const char *start = s;
    int open = *p, close = *(p + 1), depth = 1;
    while (++s < ms->src_end) {
        if (*s == close) {
            if (--depth == 0) {
                count_steps(ms, (size_t)(s - start));
                return s + 1;
            }
        } else if (*s == open) {
            depth++;
        }
    }
    count_steps(ms, (size_t)(s - start));
    return NULL;
}

static const char *max_expand(MatchState *ms, const char *s, const char *p, const char *ep) {
    ptrdiff_t i = 0;
    while (single_match(ms, s + i, p, ep)) i++;
    while (i >= 0) {
        const char *result = match(ms, s + i, ep + 1);
        if (result) return result;
        i--;
    }
    return NULL;
}

static const char *min_expand(MatchState *ms, const char *s, const char *p, const char *ep) {
    for (;;) {
        const char *result = match(ms, s, ep + 1);
        if (result != NULL) return result;
        if (single_match(ms, s, p, ep)) s++;
        else return NULL;
    }
}

static const char *start_capture(MatchState *ms, const char *s, const char *p, int what) {
    int level = ms->level;
    if (level >= MAX_CAPTURES) luaL_error(ms->L, "too many captures");
    ms->capture[level].init = s;
    ms->capture[level].len = what;
    ms->level = (unsigned char)(level + 1);
    const char *result = match(ms, s, p);
    if (result == NULL) ms->level--;
    return result;
}

static const char *end_capture(MatchState *ms, const char *s, const char *p) {
    int l = capture_to_close(ms);
    ms->capture[l].len = s - ms->capture[l].init;
    const char *result = match(ms, s, p);
    if (result == NULL) ms->capture[l].len = CAP_UNFINISHED;
    return result;
}

static const char *match_capture(MatchState *ms, const char *s, int l) {
    l = check_capture(ms, l);
    size_t length = (size_t)ms->capture[l].len;
    count_steps(ms, 1 + length / 64);
    if ((size_t)(ms->src_end - s) >= length && memcmp(ms->capture[l].init, s, length) == 0)
        return s + length;
    return NULL;
}

static const char *match(MatchState *ms, const char *s, const char *p) {
    if (ms->matchdepth-- == 0) luaL_error(ms->L, "pattern too complex");
    count_steps(ms, 1);
again:
    if (p != ms->p_end) {
        switch (*p) {
        case '(':
            if (*(p + 1) == ')') s = start_capture(ms, s, p + 2, CAP_POSITION);
            else s = start_capture(ms, s, p + 1, CAP_UNFINISHED);
            break;
        case ')':
            s = end_capture(ms, s, p + 1);
            break;
        case '$':
            if (p + 1 != ms->p_end) goto single;  // not the last character: a literal '$'
            s = (s == ms->src_end) ? s : NULL;
            break;
        case ESC:
            switch (*(p + 1)) {
            case 'b':
                s = match_balance(ms, s, p + 2);
                if (s != NULL) {
                    p += 4;
                    goto again;
                }
                break;
            case 'f': {
                p += 2;
                if (*p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
                const char *ep = class_end(ms, p);
                char previous = (s == ms->src_init) ? '\0' : *(s - 1);
                if (!match_bracket_class(uchar(previous), p, ep - 1) && match_bracket_class(uchar(*s), p, ep - 1)) {
                    p = ep;
                    goto again;
                }
                s = NULL;
                break;
            }
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                s = match_capture(ms, s, uchar(*(p + 1)));
                if (s != NULL) {
                    p += 2;
                    goto again;
                }
                break;
            default:
                goto single;
            }
            break;
        default:
        single: {
            const char *ep = class_end(ms, p);
            if (!single_match(ms, s, p, ep)) {
                if (*ep == '*' || *ep == '?' || *ep == '-') {  // may match zero times
                    p = ep + 1;
                    goto again;
                }
                s = NULL;
            } else {
                switch (*ep) {
                case '?': {
                    const char *result = match(ms, s + 1, ep + 1);
                    if (result != NULL) {
                        s = result;
                    } else {
                        p = ep + 1;
                        goto again;
                    }
                    break;
                }
                case '+':
                    s++;
                    s = max_expand(ms, s, p, ep);
                    break;
                case '*':
                    s = max_expand(ms, s, p, ep);
                    break;
                case '-':
                    s = min_expand(ms, s, p, ep);
                    break;
                default:
                    s++;
                    p = ep;
                    goto again;
                }
            }
            break;
        }
        }
    }
    ms->matchdepth++;
    return s;
}

/// Capture `i` (or the whole match for i == 0 without captures): its start in `*capture` and
/// its length, or CAP_POSITION after pushing a position capture.
static ptrdiff_t get_one_capture(MatchState *ms, int i, const char *s, const char *e, const char **capture) {
    if (i >= ms->level) {
        if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        *capture = s;
        return e - s;
    }
    ptrdiff_t length = ms->capture[i].len;
    *capture = ms->capture[i].init;
    if (length == CAP_UNFINISHED) luaL_error(ms->L, "unfinished capture");
    else if (length == CAP_POSITION) lua_pushinteger(ms->L, (ms->capture[i].init - ms->src_init) + 1);
    return length;
}

static void push_one_capture(MatchState *ms, int i, const char *s, const char *e) {
    const char *capture;
    ptrdiff_t length = get_one_capture(ms, i, s, e, &capture);
    if (length != CAP_POSITION) lua_pushlstring(ms->L, capture, (size_t)length);
}

static int push_captures(MatchState *ms, const char *s, const char *e) {
    int count = (ms->level == 0 && s) ? 1 : ms->level;
    luaL_checkstack(ms->L, count, "too many captures");
    for (int i = 0; i < count; i++) push_one_capture(ms, i, s, e);
    return count;
}

/// Whether a pattern has no special characters (it may contain NULs).
static int no_specials(const char *p, size_t length) {
    size_t upto = 0;
    do {
        if (strpbrk(p + upto, SPECIALS)) return 0;
        upto += strlen(p + upto) + 1;
    } while (upto <= length);
    return 1;
}

/// Plain substring search, charging 1 + 64 compared bytes per candidate position.
static const char *find_plain(lua_State *L, const char *s1, size_t l1, const char *s2, size_t l2) {
    if (l2 == 0) return s1;
    if (l2 > l1) return NULL;
    size_t pending = 0, rest = l2 - 1;
    const char *init;
    l1 = l1 - rest;
    while (l1 > 0 && (init = memchr(s1, *s2, l1)) != NULL) {
        init++;
        pending += 1 + rest / 64;
        if (memcmp(init, s2 + 1, rest) == 0) {
            charge_rest(L, pending);
            return init - 1;
        }
        l1 -= (size_t)(init - s1);
        s1 = init;
        if (pending >= CHARGE_INTERVAL) {
            evictor_charge(L, pending);
            pending = 0;
        }
    }
    charge_rest(L, pending);
    return NULL;
}

static void prepare(MatchState *ms, lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    ms->L = L;
    ms->matchdepth = MAX_MATCH_DEPTH;
    ms->src_init = s;
    ms->src_end = s + ls;
    ms->p_end = p + lp;
    ms->steps = 0;
}

static void reprepare(MatchState *ms) {
    ms->level = 0;
    ms->matchdepth = MAX_MATCH_DEPTH;  // also after an error a script caught inside gmatch
}

/// A 1-based start position (negative: from the end) as a 0-based offset.
static size_t start_offset(lua_Integer position, size_t length) {
    if (position > 0) return (size_t)position - 1;
    if (position == 0 || position < -(lua_Integer)length) return 0;
    return length + (size_t)position;
}

static int find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    if (init > ls) {
        lua_pushnil(L);
        return 1;
    }
    if (find && (lua_toboolean(L, 4) || no_specials(p, lp))) {
        const char *found = find_plain(L, s + init, ls - init, p, lp);
        if (found) {
            lua_pushinteger(L, (found - s) + 1);
            lua_pushinteger(L, (lua_Integer)((size_t)(found - s) + lp));
            return 2;
        }
    } else {
        MatchState ms;
        const char *s1 = s + init;
        int anchor = (*p == '^');
        if (anchor) {
            p++;
            lp--;
        }
        prepare(&ms, L, s, ls, p, lp);
        do {
            reprepare(&ms);
            const char *end = match(&ms, s1, p);
            if (end != NULL) {
                charge_rest(L, ms.steps);
                if (find) {
                    lua_pushinteger(L, (s1 - s) + 1);
                    lua_pushinteger(L, end - s);
                    return push_captures(&ms, NULL, 0) + 2;
                }
                return push_captures(&ms, s1, end);
            }
        } while (s1++ < ms.src_end && !anchor);
        charge_rest(L, ms.steps);
    }
    lua_pushnil(L);
    return 1;
}

static int bounded_find(lua_State *L) { return find_or_match(L, 1); }
static int bounded_match(lua_State *L) { return find_or_match(L, 0); }

typedef struct GMatchState {
    const char *src;
    const char *p;
    const char *lastmatch;
    MatchState ms;
} GMatchState;

static int gmatch_next(lua_State *L) {
    GMatchState *gm = (GMatchState *)lua_touserdata(L, lua_upvalueindex(3));
    gm->ms.L = L;  // the iterator may run in another coroutine than the one that made it
    for (const char *src = gm->src; src <= gm->ms.src_end; src++) {
        reprepare(&gm->ms);
        const char *end = match(&gm->ms, src, gm->p);
        if (end != NULL && end != gm->lastmatch) {
            gm->src = gm->lastmatch = end;
            return push_captures(&gm->ms, src, end);
        }
    }
    charge_rest(L, gm->ms.steps);
    gm->ms.steps = 0;
    return 0;
}

static int bounded_gmatch(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = start_offset(luaL_optinteger(L, 3, 1), ls);
    lua_settop(L, 2);  // the closure keeps both strings alive
    GMatchState *gm = (GMatchState *)lua_newuserdatauv(L, sizeof(GMatchState), 0);
    if (init > ls) init = ls + 1;
    prepare(&gm->ms, L, s, ls, p, lp);
    gm->src = s + init;
    gm->p = p;
    gm->lastmatch = NULL;
    lua_pushcclosure(L, gmatch_next, 3);
    return 1;
}

/// Appends the replacement string (argument 3) with its %0-%9 and %% escapes.
static void add_string(MatchState *ms, luaL_Buffer *b, const char *s, const char *e) {
    size_t length;
    lua_State *L = ms->L;
    const char *news = lua_tolstring(L, 3, &length);
    const char *p;
    while ((p = memchr(news, ESC, length)) != NULL) {
        luaL_addlstring(b, news, (size_t)(p - news));
        p++;
        if (*p == ESC) {
            luaL_addchar(b, *p);
        } else if (*p == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit(uchar(*p))) {
            const char *capture;
            ptrdiff_t captured = get_one_capture(ms, *p - '1', s, e, &capture);
            if (captured == CAP_POSITION) luaL_addvalue(b);
            else luaL_addlstring(b, capture, (size_t)captured);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", ESC);
        }
        length -= (size_t)(p + 1 - news);
        news = p + 1;
    }
    luaL_addlstring(b, news, length);
}

/// Appends the replacement of one match; returns whether it changed the text.
static int add_value(MatchState *ms, luaL_Buffer *b, const char *s, const char *e, int type) {
    lua_State *L = ms->L;
    switch (type) {
    case LUA_TFUNCTION: {
        lua_pushvalue(L, 3);
        int n = push_captures(ms, s, e);
        lua_call(L, n, 1);
        break;
    }
    case LUA_TTABLE:
        push_one_capture(ms, 0, s, e);
        lua_gettable(L, 3);
        break;
    default:
        add_string(ms, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static int bounded_gsub(lua_State *L) {
    size_t srcl, lp;
    const char *src = luaL_checklstring(L, 1, &srcl);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *lastmatch = NULL;
    int type = lua_type(L, 3);
    lua_Integer max_replacements = luaL_optinteger(L, 4, (lua_Integer)srcl + 1);
    int anchor = (*p == '^');
    lua_Integer n = 0;
    int changed = 0;
    MatchState ms;
    luaL_Buffer b;
    luaL_argexpected(L, type == LUA_TNUMBER || type == LUA_TSTRING || type == LUA_TFUNCTION || type == LUA_TTABLE, 3,
                     "string/function/table");
    luaL_buffinit(L, &b);
    if (anchor) {
        p++;
        lp--;
    }
    prepare(&ms, L, src, srcl, p, lp);
    while (n < max_replacements) {
        reprepare(&ms);
        const char *e = match(&ms, src, p);
        if (e != NULL && e != lastmatch) {
            n++;
            changed = add_value(&ms, &b, src, e, type) | changed;
            src = lastmatch = e;
        } else if (src < ms.src_end) {
            luaL_addchar(&b, *src++);
        } else {
            break;
        }
        if (anchor) break;
    }
    charge_rest(L, ms.steps);
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, src, (size_t)(ms.src_end - src));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

// MARK: - Installation

void evictor_install_bounded_library(lua_State *L) {
    static const luaL_Reg string_functions[] = {
        {"find", bounded_find},
        {"match", bounded_match},
        {"gmatch", bounded_gmatch},
        {"gsub", bounded_gsub},
        {NULL, NULL},
    };
    static const luaL_Reg table_functions[] = {
        {"move", bounded_move},
        {"insert", bounded_insert},
        {"remove", bounded_remove},
        {NULL, NULL},
    };
    if (lua_getglobal(L, LUA_STRLIBNAME) == LUA_TTABLE) {
        luaL_setfuncs(L, string_functions, 0);
        lua_getfield(L, -1, "rep");
        lua_pushcclosure(L, bounded_rep, 1);
        lua_setfield(L, -2, "rep");
    }
    lua_pop(L, 1);
    if (lua_getglobal(L, LUA_TABLIBNAME) == LUA_TTABLE) luaL_setfuncs(L, table_functions, 0);
    lua_pop(L, 1);
}
