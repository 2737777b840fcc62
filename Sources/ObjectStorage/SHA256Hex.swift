import Crypto

/// Hex SHA-256 of a request payload.
enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String { SigV4Signer.hex(SHA256.hash(data: bytes)) }
}
