import Testing
@testable import LuaRuntime

@Suite("Values cross the boundary both ways")
struct LuaValueConversionTests {
    let vm: LuaVM

    init() throws {
        vm = try LuaVM()
    }

    /// Sends a value into Lua and gets it back through an identity function.
    func roundTrip(_ value: LuaValue) throws -> LuaValue {
        let identity = try vm.load(string: "return function(...) return ... end", chunkName: "=identity")
        let function = try vm.call(identity)
        guard case .function(let reference)? = function.first else {
            Issue.record("no function")
            return .nil
        }
        return try vm.call(reference, [value]).first ?? .nil
    }

    @Test("scalars keep their Lua subtype")
    func scalars() throws {
        #expect(try roundTrip(.nil) == .nil)
        #expect(try roundTrip(true) == .boolean(true))
        #expect(try roundTrip(false) == .boolean(false))
        #expect(try roundTrip(.integer(Int64.max)) == .integer(Int64.max))
        #expect(try roundTrip(.integer(Int64.min)) == .integer(Int64.min))
        #expect(try roundTrip(.number(3.0)) == .number(3.0))
        #expect(try roundTrip(.number(-0.5)) == .number(-0.5))
    }

    @Test("integers and floats are told apart when Lua makes them")
    func numericSubtypes() throws {
        let chunk = try vm.load(string: "return 3, 3.0, 7 // 2, 7 / 2, math.maxinteger, 2^53", chunkName: "=numbers")
        let results = try vm.call(chunk)
        #expect(results == [.integer(3), .number(3.0), .integer(3), .number(3.5), .integer(Int64.max), .number(9007199254740992)])
    }

    @Test("strings with NUL and invalid UTF-8 survive byte for byte")
    func binaryStrings() throws {
        let bytes: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0xFE, 0xC3, 0x28, 0x00]
        let back = try roundTrip(.string(LuaString(bytes: bytes)))
        #expect(back == .string(LuaString(bytes: bytes)))
        let chunk = try vm.load(string: #"return "a\0b\255", #("a\0b\255")"#, chunkName: "=bytes")
        let results = try vm.call(chunk)
        #expect(results[0] == .string(LuaString(bytes: [0x61, 0, 0x62, 0xFF])))
        #expect(results[1] == .integer(4))
        #expect(LuaString(bytes: [0xFF]).text == nil)
    }

    @Test("arrays, maps and nesting")
    func tables() throws {
        let value: LuaValue = [
            "name": "web",
            "tags": ["v1", "v2", 3, 4.5, true],
            "nested": ["deeper": ["deepest": 1]],
        ]
        #expect(try roundTrip(value) == value)
        let chunk = try vm.load(string: "return {10, 20, 30, x = {y = 'z'}, [1.5] = 'float key', [4.0] = 'four'}", chunkName: "=t")
        guard case .table(let table)? = try vm.call(chunk).first else {
            Issue.record("not a table")
            return
        }
        #expect(table[1] == .integer(10))
        #expect(table[2] == .integer(20))
        #expect(table[4] == "four")
        #expect(table[3] == .integer(30))
        #expect(table["x"] == ["y": "z"])
        #expect(table.entries[.number(1.5)] == "float key")
        #expect(table.arrayValues == nil)
        #expect(LuaTable(array: ["a", "b"]).arrayValues == ["a", "b"])
    }

    @Test("a cyclic table is refused with a clear error, and the VM goes on")
    func cycles() throws {
        let chunk = try vm.load(string: "local t = {}; t.self = t; return t", chunkName: "@policies/cycle.lua")
        #expect {
            _ = try vm.call(chunk)
        } throws: { error in
            guard let error = error as? LuaError, case .invalidValue(let message, let location) = error else { return false }
            return message.contains("cycle") && location.contains("policies/cycle.lua")
        }
        // Shared (non-cyclic) subtables are fine.
        let shared = try vm.load(string: "local s = {1}; return {a = s, b = s}", chunkName: "=shared")
        #expect(try vm.call(shared).first == ["a": [1], "b": [1]])
    }

    @Test("too deep nesting is refused both ways")
    func depth() throws {
        var deep: LuaValue = 1
        for _ in 0..<500 { deep = [deep] }
        #expect(throws: LuaError.self) { try roundTrip(deep) }
        let chunk = try vm.load(string: "local t = {}; for i = 1, 1000 do t = {t} end; return t", chunkName: "=deep")
        #expect(throws: LuaError.self) { try vm.call(chunk) }
        #expect(try roundTrip("still works") == "still works")
    }

    @Test("functions come back as references that can be called and released")
    func functionReferences() throws {
        let chunk = try vm.load(string: "return function(a, b) return a + b end", chunkName: "=adder")
        guard case .function(let adder)? = try vm.call(chunk).first else {
            Issue.record("no function")
            return
        }
        #expect(try vm.call(adder, [2, 3]) == [5])
        vm.release(adder)
        let other = try LuaVM()
        #expect(throws: LuaError.self) { try other.call(adder, [1, 2]) }
    }

    @Test("globals by dotted path")
    func globals() throws {
        try vm.setGlobal("evictor.config.keep", 3)
        #expect(try vm.global("evictor.config.keep") == 3)
        #expect(try vm.global("evictor.missing.deeper") == .nil)
        let chunk = try vm.load(string: "return evictor.config.keep * 2", chunkName: "=g")
        #expect(try vm.call(chunk) == [6])
    }
}
