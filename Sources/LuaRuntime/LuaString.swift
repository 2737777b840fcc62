/// A Lua string: arbitrary bytes, including NUL and invalid UTF-8.
public struct LuaString: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The raw bytes, exactly as Lua holds them.
    public var bytes: [UInt8]

    /// Wraps raw bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// The UTF-8 encoding of `text`.
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    public init(stringLiteral value: String) { self.init(value) }

    /// The text when the bytes are valid UTF-8, else nil.
    public var text: String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// The text, with invalid UTF-8 sequences replaced by U+FFFD.
    public var description: String { String(decoding: bytes, as: UTF8.self) }
}
