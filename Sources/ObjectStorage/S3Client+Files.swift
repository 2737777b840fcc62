import Foundation

/// What a streamed GET received.
public struct S3Download: Sendable, Equatable {
    public var size: Int64
    /// Hex sha256 of the bytes received.
    public var sha256: String
}

extension S3Client {
    // MARK: - Local files

    /// Streams the object at `key` into the local file `file` (created or replaced, fsynced),
    /// never holding it whole in memory; nil (and no file) when there is no such key. With
    /// `file` nil the bytes are only measured and hashed. A body shorter than its
    /// `Content-Length` fails.
    public func download(_ key: String, to file: String?) throws(S3Error) -> S3Download? {
        let sink = S3FileSink(path: file)
        let response: Response
        do { response = try send("GET", key: key, accept: [200, 404], sink: sink) } catch {
            sink.discard()
            throw error
        }
        guard response.status == 200 else {
            sink.discard()
            return nil
        }
        let received: (size: Int64, sha256: String)
        do { received = try sink.finish() } catch {
            sink.discard()
            throw error
        }
        if let length = response.headers.first(name: "content-length").flatMap({ Int64($0) }), length != received.size {
            sink.discard()
            throw .invalidResponse(
                "\(received.size) bytes received of \(length)", operation: "GET", target: target(key), endpoint: configuration.endpoint)
        }
        return S3Download(size: received.size, sha256: received.sha256)
    }

    /// Stores the local file `file` at `key` with one PUT whose body is streamed from the file
    /// (S3 takes up to 5 GB this way), its payload signed by the file's sha256.
    public func upload(_ file: String, to key: String) throws(S3Error) {
        let local = try S3LocalFile(path: file)
        _ = try send("PUT", key: key, body: .file(local), headers: [("content-type", "application/octet-stream")], accept: [200])
    }
}
