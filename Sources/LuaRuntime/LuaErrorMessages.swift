/// Splits Lua's syntax error text (`name:line: message`) into its parts.
enum LuaSyntaxMessage {
    static func parse(_ text: String, chunkName: String) -> LuaError {
        // Lua formats "<short source>:<line>: <message>"; the short source may be shortened
        // ("...") for long names, so we search for ":<digits>: " rather than the name.
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if scalars[index] == ":" {
                var end = index + 1
                while end < scalars.count, ("0"..."9").contains(scalars[end]) { end += 1 }
                if end > index + 1, end + 1 < scalars.count, scalars[end] == ":", scalars[end + 1] == " " {
                    let line = Int(String(String.UnicodeScalarView(scalars[(index + 1)..<end])))
                    let message = String(String.UnicodeScalarView(scalars[(end + 2)...]))
                    return .syntax(chunk: chunkName, line: line, message: message)
                }
            }
            index += 1
        }
        return .syntax(chunk: chunkName, line: nil, message: text)
    }
}

/// Splits the traceback handler's output into message and traceback.
enum LuaTraceback {
    static let marker = "\nstack traceback:\n"

    static func split(_ text: String) -> LuaError {
        guard let range = text.range(of: marker) else {
            return .runtime(message: text, traceback: "")
        }
        return .runtime(
            message: String(text[..<range.lowerBound]),
            traceback: String(text[range.upperBound...])
        )
    }
}
