/// A Lua table converted to Swift: a plain value with no identity (cycles are refused).
public struct LuaTable: Sendable, Hashable {
    /// Every key/value pair. Keys are never `.nil`; Lua normalises whole floats to integers.
    public var entries: [LuaValue: LuaValue]

    /// An empty table.
    public init() { entries = [:] }

    /// A table from key/value pairs.
    public init(entries: [LuaValue: LuaValue]) { self.entries = entries }

    /// A sequence: keys 1...n.
    public init(array: [LuaValue]) {
        var entries: [LuaValue: LuaValue] = [:]
        entries.reserveCapacity(array.count)
        for (offset, value) in array.enumerated() where value != .nil {
            entries[.integer(Int64(offset + 1))] = value
        }
        self.entries = entries
    }

    /// A record with string keys.
    public init(fields: [String: LuaValue]) {
        var entries: [LuaValue: LuaValue] = [:]
        for (key, value) in fields where value != .nil { entries[.string(LuaString(key))] = value }
        self.entries = entries
    }

    /// The value under a string key, `.nil` when absent.
    public subscript(key: String) -> LuaValue {
        get { entries[.string(LuaString(key))] ?? .nil }
        set {
            let k = LuaValue.string(LuaString(key))
            if newValue == .nil { entries.removeValue(forKey: k) } else { entries[k] = newValue }
        }
    }

    /// The value under an integer key (1-based, as in Lua), `.nil` when absent.
    public subscript(index: Int) -> LuaValue {
        entries[.integer(Int64(index))] ?? .nil
    }

    /// The border `#t` would give for a table without holes: the count of keys 1, 2, 3, ...
    public var sequenceLength: Int {
        var n = 0
        while entries[.integer(Int64(n + 1))] != nil { n += 1 }
        return n
    }

    /// The values under 1...n when the table is exactly a sequence (no other keys), else nil.
    /// An empty table is an empty sequence.
    public var arrayValues: [LuaValue]? {
        let n = sequenceLength
        guard n == entries.count else { return nil }
        return (0..<n).map { entries[.integer(Int64($0 + 1))] ?? .nil }
    }

    /// True when there are no entries.
    public var isEmpty: Bool { entries.isEmpty }
}
