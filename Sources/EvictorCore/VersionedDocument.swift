import Foundation

/// The JSON conventions of every file Evictor writes (`format` + `version` header, snake_case
/// keys, RFC 3339 dates) and a reader that names the file and the field that is wrong.
public enum VersionedDocument {
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// Reads `path` as a `format` document of `version`; `invalid(reason)` builds the error.
    public static func read<Document: Decodable>(
        _ type: Document.Type, from path: String, format: String, version: Int, wrongFormatHint: String = "",
        invalid: (String) -> EvictorCoreError
    ) throws(EvictorCoreError) -> Document {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .cannotRead(path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        let decoder = decoder()
        guard let header = try? decoder.decode(DocumentHeader.self, from: data) else { throw invalid("not a JSON object") }
        guard header.format == format else { throw invalid("not an \(format) document\(wrongFormatHint)") }
        guard header.version == version else {
            throw invalid("format version \(header.version.map(String.init) ?? "missing") is not \(version)")
        }
        do {
            return try decoder.decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw invalid(DecodingErrorText.describe(error, snakeCaseKeys: true))
        } catch {
            throw invalid("\(error)")
        }
    }

    /// Writes `document` atomically.
    public static func write<Document: Encodable>(_ document: Document, to path: String, permissions: mode_t = 0o644) throws(EvictorCoreError) {
        let data: Data
        do { data = try encoder().encode(document) + Data("\n".utf8) } catch {
            throw .cannotWrite(path, reason: "cannot encode: \(error)")
        }
        try AtomicFile.write(data, to: path, permissions: permissions)
    }
}

/// The `format` and `version` fields every Evictor document starts with.
private struct DocumentHeader: Decodable {
    var format: String?
    var version: Int?
}
