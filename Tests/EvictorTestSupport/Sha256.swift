import Crypto
import Foundation

/// `sha256:<hex>` digests for test content.
public enum Sha256 {
    public static func digest(_ data: Data) -> String {
        "sha256:" + SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
