import Foundation

/// Reads and writes `images.json`: versioned JSON, written atomically (a temporary file in the
/// same directory, flushed to disk, then renamed over the old one), so a crash or a failing
/// source can never leave a truncated inventory behind.
public enum InventoryFile {
    /// Writes `inventory` to `path` atomically.
    public static func write(_ inventory: Inventory, to path: String) throws(EvictorCoreError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data: Data
        do { data = try encoder.encode(inventory) + Data("\n".utf8) } catch {
            throw .cannotWrite(path, reason: "cannot encode the inventory")
        }
        try AtomicFile.write(data, to: path)
    }

    /// Reads an inventory written by `write`. Anything else is one error naming the file.
    public static func read(_ path: String) throws(EvictorCoreError) -> Inventory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        struct Header: Decodable {
            var format: String?
            var version: Int?
        }
        guard let header = try? decoder.decode(Header.self, from: data) else {
            throw .invalidInventory(path, reason: "not a JSON object")
        }
        guard header.format == Inventory.formatName else {
            throw .invalidInventory(path, reason: "not an evictor inventory (convert other formats with `evictor inventory --source static:\(path)`)")
        }
        guard header.version == Inventory.formatVersion else {
            throw .invalidInventory(path, reason: "format version \(header.version.map(String.init) ?? "missing") is not \(Inventory.formatVersion)")
        }
        do {
            return try decoder.decode(Inventory.self, from: data)
        } catch let error as DecodingError {
            throw .invalidInventory(path, reason: DecodingErrorText.describe(error))
        } catch {
            throw .invalidInventory(path, reason: "\(error)")
        }
    }
}

/// One line for a decoding error: where in the document, and what.
public enum DecodingErrorText {
    public static func describe(_ error: DecodingError) -> String {
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

    static func path(_ keys: [CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "top level" : text
    }
}
