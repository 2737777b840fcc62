import Foundation

/// Reads and writes `images.json`: versioned JSON, written atomically (a temporary file in the
/// same directory, flushed to disk, then renamed over the old one), so a crash or a failing
/// source can never leave a truncated inventory behind.
public enum InventoryFile {
    /// Writes `inventory` to `path` atomically.
    public static func write(_ inventory: Inventory, to path: String) throws(EvictorCoreError) {
        try VersionedDocument.write(inventory, to: path)
    }

    /// Reads an inventory written by `write`. Anything else is one error naming the file.
    public static func read(_ path: String) throws(EvictorCoreError) -> Inventory {
        try VersionedDocument.read(
            Inventory.self, from: path, format: Inventory.formatName, version: Inventory.formatVersion,
            wrongFormatHint: " (convert other formats with `evictor inventory --source static:\(path)`)"
        ) { .invalidInventory(path, reason: $0) }
    }
}

/// One line for a decoding error: where in the document, and what.
public enum DecodingErrorText {
    /// `snakeCaseKeys`: the document's keys are snake_case (the decoder converted them), so
    /// the path names them as the file spells them (`.generated_at`, not `.generatedAt`).
    public static func describe(_ error: DecodingError, snakeCaseKeys: Bool = false) -> String {
        let path = { (keys: [CodingKey]) in Self.path(keys, snakeCase: snakeCaseKeys) }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value at \(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath))"
        @unknown default:
            return "unreadable"
        }
    }

    static func path(_ keys: [CodingKey], snakeCase: Bool = false) -> String {
        let text = keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(snakeCase ? snakeCased(key.stringValue) : key.stringValue)" }.joined()
        return text.isEmpty ? "top level" : text
    }

    /// `generatedAt` -> `generated_at` (what JSONEncoder's convertToSnakeCase writes).
    static func snakeCased(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase, !result.isEmpty { result += "_" }
            result += character.lowercased()
        }
        return result
    }
}
