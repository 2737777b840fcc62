import Crypto
import Foundation

extension Digest {
    /// The sha256 of a file, read in 1 MiB chunks (layers can be gigabytes); nil when it
    /// cannot be read.
    public static func sha256(ofFileAt path: String) -> Digest? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch { return nil }
            guard let chunk, !chunk.isEmpty else { break }  // nil or empty: end of file
            hasher.update(data: chunk)
        }
        return Digest.sha256(finalized: hasher.finalize())
    }
}
