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
    ///
    /// A table reached twice (shared, not cyclic) is converted once and reused. Its copies
    /// still count: a value whose shared subtables expand to more values than the VM's memory
    /// could hold as a plain tree (`t = {t, t}` forty times) is refused, as it would be
    /// exponential to hash, compare or push back.
    static func read(_ L: OpaquePointer, at index: Int32, owner: UInt64?) throws(LuaError) -> LuaValue {
        let limit = evictor_vm_memory_limit(L)
        var conversion = Conversion(maxValues: limit > 0 ? max(limit / 16, 1 << 16) : 1 << 26)
        return try read(L, at: lua_absindex(L, index), owner: owner, conversion: &conversion).value
    }

    /// What one `read` has seen so far.
    private struct Conversion {
        /// Most values the result may expand to.
        let maxValues: Int
        /// Tables being converted, outermost first (a table met again on this path is a cycle).
        var path: [UnsafeRawPointer] = []
        /// Tables already converted, with how many values each expands to and how deep it is.
        var done: [UnsafeRawPointer: Converted] = [:]
    }

    private struct Converted {
        var table: LuaTable
        /// Values the table expands to, itself included.
        var values: Int
        /// Levels of tables, itself included.
        var height: Int
    }

    private static func read(
        _ L: OpaquePointer, at index: Int32, owner: UInt64?, conversion: inout Conversion
    ) throws(LuaError) -> (value: LuaValue, values: Int, height: Int) {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE:
            return (.nil, 1, 0)
        case LUA_TBOOLEAN:
            return (.boolean(lua_toboolean(L, index) != 0), 1, 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return (.integer(lua_tointegerx(L, index, nil)), 1, 0) }
            return (.number(lua_tonumberx(L, index, nil)), 1, 0)
        case LUA_TSTRING:
            return (.string(LuaString(bytes: readBytes(L, at: index))), 1, 0)
        case LUA_TTABLE:
            let converted = try readTable(L, at: index, owner: owner, conversion: &conversion)
            return (.table(converted.table), converted.values, converted.height)
        case LUA_TFUNCTION:
            guard let owner else {
                throw .invalidValue(message: "a function cannot be used as data here", location: "")
            }
            lua_pushvalue(L, index)
            let slot = luaL_ref(L, clua_registryindex())
            return (.function(LuaFunctionReference(slot: slot, owner: owner)), 1, 0)
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
        _ L: OpaquePointer, at index: Int32, owner: UInt64?, conversion: inout Conversion
    ) throws(LuaError) -> Converted {
        guard let identity = lua_topointer(L, index) else { return Converted(table: LuaTable(), values: 1, height: 1) }
        if let converted = conversion.done[identity] {
            guard conversion.path.count + converted.height <= maxDepth else {
                throw .invalidValue(message: "table nested deeper than \(maxDepth) levels", location: "")
            }
            return converted
        }
        if conversion.path.contains(identity) {
            throw .invalidValue(message: "a table that contains itself (cycle) cannot be converted", location: "")
        }
        guard conversion.path.count < maxDepth, lua_checkstack(L, 4) != 0 else {
            throw .invalidValue(message: "table nested deeper than \(maxDepth) levels", location: "")
        }
        conversion.path.append(identity)
        defer { conversion.path.removeLast() }
        var entries: [LuaValue: LuaValue] = [:]
        var values = 1
        var height = 1
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let key = try read(L, at: lua_absindex(L, -2), owner: owner, conversion: &conversion)
            let value = try read(L, at: lua_absindex(L, -1), owner: owner, conversion: &conversion)
            clua_pop(L, 1)
            values += min(key.values, conversion.maxValues) + min(value.values, conversion.maxValues)
            guard values <= conversion.maxValues else {
                throw .invalidValue(
                    message: "a table whose shared subtables expand to more than \(conversion.maxValues) values cannot be converted",
                    location: ""
                )
            }
            height = max(height, 1 + key.height, 1 + value.height)
            entries[key.value] = value.value
        }
        let converted = Converted(table: LuaTable(entries: entries), values: values, height: height)
        conversion.done[identity] = converted
        return converted
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
