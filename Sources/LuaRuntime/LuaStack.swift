import CLua
import CLuaShim

/// Moves values between a Lua stack and Swift using only API calls that cannot raise a Lua
/// error while Swift holds the state (raw access, no metamethods, checked stack growth).
enum LuaStack {
    /// Deepest table nesting converted in either direction.
    static let maxDepth = 200

    // MARK: - Lua to Swift

    /// Reads the value at `index`. Functions become references in `owner`'s registry, or are
    /// refused when `owner` is nil. On error the stack may hold extra values: callers reset it.
    static func read(_ L: OpaquePointer, at index: Int32, owner: UInt64?) throws(LuaError) -> LuaValue {
        var path: [UnsafeRawPointer] = []
        return try read(L, at: lua_absindex(L, index), owner: owner, path: &path)
    }

    private static func read(
        _ L: OpaquePointer, at index: Int32, owner: UInt64?, path: inout [UnsafeRawPointer]
    ) throws(LuaError) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE:
            return .nil
        case LUA_TBOOLEAN:
            return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(lua_tointegerx(L, index, nil)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING:
            return .string(LuaString(bytes: readBytes(L, at: index)))
        case LUA_TTABLE:
            return .table(try readTable(L, at: index, owner: owner, path: &path))
        case LUA_TFUNCTION:
            guard let owner else {
                throw .invalidValue(message: "a function cannot be used as data here", location: "")
            }
            lua_pushvalue(L, index)
            let slot = luaL_ref(L, clua_registryindex())
            return .function(LuaFunctionReference(slot: slot, owner: owner))
        default:
            let name = String(cString: lua_typename(L, lua_type(L, index)))
            throw .invalidValue(message: "a \(name) value cannot be converted", location: "")
        }
    }

    /// The bytes of the string at `index` (which must be a string: numbers are not converted).
    static func readBytes(_ L: OpaquePointer, at index: Int32) -> [UInt8] {
        var length = 0
        guard let pointer = lua_tolstring(L, index, &length) else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    private static func readTable(
        _ L: OpaquePointer, at index: Int32, owner: UInt64?, path: inout [UnsafeRawPointer]
    ) throws(LuaError) -> LuaTable {
        guard let identity = lua_topointer(L, index) else { return LuaTable() }
        if path.contains(identity) {
            throw .invalidValue(message: "a table that contains itself (cycle) cannot be converted", location: "")
        }
        guard path.count < maxDepth, lua_checkstack(L, 4) != 0 else {
            throw .invalidValue(message: "table nested deeper than \(maxDepth) levels", location: "")
        }
        path.append(identity)
        defer { path.removeLast() }
        var entries: [LuaValue: LuaValue] = [:]
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let key = try read(L, at: lua_absindex(L, -2), owner: owner, path: &path)
            let value = try read(L, at: lua_absindex(L, -1), owner: owner, path: &path)
            clua_pop(L, 1)
            entries[key] = value
        }
        return LuaTable(entries: entries)
    }

    // MARK: - Swift to Lua

    /// Pushes `value`. Function references must belong to `owner`. On error the stack may hold
    /// extra values: callers reset it.
    static func push(_ L: OpaquePointer, _ value: LuaValue, owner: UInt64, depth: Int = 0) throws(LuaError) {
        guard depth < maxDepth, lua_checkstack(L, 3) != 0 else {
            throw .invalidValue(message: "value nested deeper than \(maxDepth) levels", location: "")
        }
        switch value {
        case .nil:
            lua_pushnil(L)
        case .boolean(let flag):
            lua_pushboolean(L, flag ? 1 : 0)
        case .integer(let integer):
            lua_pushinteger(L, integer)
        case .number(let number):
            lua_pushnumber(L, number)
        case .string(let string):
            pushBytes(L, string.bytes)
        case .table(let table):
            let sequence = table.sequenceLength
            lua_createtable(L, Int32(clamping: sequence), Int32(clamping: table.entries.count - sequence))
            for (key, element) in table.entries {
                if case .nil = key { throw .invalidValue(message: "a table key cannot be nil", location: "") }
                if case .number(let d) = key, d.isNaN {
                    throw .invalidValue(message: "a table key cannot be NaN", location: "")
                }
                try push(L, key, owner: owner, depth: depth + 1)
                try push(L, element, owner: owner, depth: depth + 1)
                lua_rawset(L, -3)
            }
        case .function(let reference):
            guard reference.owner == owner else {
                throw .invalidValue(message: "a function reference from another Lua VM", location: "")
            }
            lua_rawgeti(L, clua_registryindex(), lua_Integer(reference.slot))
        }
    }

    /// Pushes raw bytes as a Lua string.
    static func pushBytes(_ L: OpaquePointer, _ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = lua_pushlstring(L, chars.baseAddress, chars.count)
            }
        }
    }

    /// Pushes a Swift string as a Lua string.
    static func pushString(_ L: OpaquePointer, _ text: String) {
        pushBytes(L, Array(text.utf8))
    }
}
