/// A value stored in JSON as its text form (`"sha256:..."`, `"reg.io/app:1"`), parsed and
/// checked when decoded, so a bad value in a file is an error at its path.
public protocol TextCodable: Codable, CustomStringConvertible {
    init(parsing text: String) throws(EvictorCoreError)
}

extension TextCodable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
