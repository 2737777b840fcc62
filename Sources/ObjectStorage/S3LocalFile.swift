import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore

/// A local file a PUT sends as its body, streamed in 1 MiB reads (never whole in memory). Its
/// size and sha256 are taken first: the sha256 signs the payload, so the endpoint rejects bytes
/// that changed on the way (or in the file meanwhile).
struct S3LocalFile: Sendable {
    let path: String
    let size: Int64
    let sha256: String

    static let chunk = 1 << 20

    /// Measures and hashes the file at `path`.
    init(path: String) throws(S3Error) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .localFile(path, reason: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: Self.chunk)
        var size: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, Self.chunk) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .localFile(path, reason: "cannot read: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            hasher.update(data: buffer[0..<count])
            size += Int64(count)
        }
        self.path = path
        self.size = size
        self.sha256 = SigV4Signer.hex(Array(hasher.finalize()))
    }

    /// The request body: the file read chunk by chunk as the connection takes it.
    func body(eventLoop: any EventLoop) -> HTTPClient.Body {
        let path = path
        let size = size
        return .stream(contentLength: size) { writer in
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                return eventLoop.makeFailedFuture(S3Error.localFile(path, reason: "cannot open: \(String(cString: strerror(errno)))"))
            }
            @Sendable func send(from offset: Int64) -> EventLoopFuture<Void> {
                guard offset < size else { return eventLoop.makeSucceededFuture(()) }
                let wanted = Int(min(Int64(Self.chunk), size - offset))
                var bytes = [UInt8](repeating: 0, count: wanted)
                let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(offset)) }
                guard count > 0 else {
                    return eventLoop.makeFailedFuture(S3Error.localFile(path, reason: "cannot read (changed while being sent?)"))
                }
                return writer.write(.byteBuffer(ByteBuffer(bytes: bytes.prefix(count)))).flatMap { send(from: offset + Int64(count)) }
            }
            return send(from: 0).always { _ in close(descriptor) }
        }
    }
}
