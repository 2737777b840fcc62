import Crypto
import Foundation
import NIOCore
import Synchronization

/// Where a streamed GET writes an object's bytes: a local file (created or truncated for each
/// attempt, fsynced at the end), or nowhere when only its size and hash are wanted. It hashes
/// what passes (sha256), so nothing is read twice.
final class S3FileSink: Sendable {
    /// The file written, or nil to only measure and hash.
    let path: String?
    private let state = Mutex(State())

    struct State {
        var descriptor: Int32 = -1
        var size: Int64 = 0
        var sha256 = SHA256()
    }

    init(path: String?) {
        self.path = path
    }

    deinit { state.withLock { if $0.descriptor >= 0 { close($0.descriptor) } } }

    /// Starts again from nothing: a retried GET must not append to a failed attempt's bytes.
    func reset() throws(S3Error) {
        let path = path
        let opened = state.withLock { state -> Int32 in
            if state.descriptor >= 0 { close(state.descriptor) }
            state = State()
            guard let path else { return 0 }
            state.descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            return state.descriptor
        }
        if opened < 0, let path { throw .localFile(path, reason: "cannot create: \(String(cString: strerror(errno)))") }
    }

    /// Writes one body part (on the HTTP client's event loop: a local write, no network).
    func write(_ buffer: ByteBuffer) throws(S3Error) {
        let failure = state.withLock { state -> String? in
            buffer.withUnsafeReadableBytes { bytes -> String? in
                state.size += Int64(bytes.count)
                state.sha256.update(bufferPointer: bytes)
                guard state.descriptor >= 0 else { return nil }
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(state.descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { return String(cString: strerror(errno)) }
                    offset += written
                }
                return nil
            }
        }
        if let failure { throw .localFile(path ?? "", reason: "cannot write: \(failure)") }
    }

    /// Makes the file durable and closes it; returns what was written.
    func finish() throws(S3Error) -> (size: Int64, sha256: String) {
        let path = path ?? ""
        let result = state.withLock { state -> (Int64, String, String?) in
            var failure: String?
            if state.descriptor >= 0 {
                if fsync(state.descriptor) != 0 { failure = String(cString: strerror(errno)) }
                close(state.descriptor)
                state.descriptor = -1
            }
            return (state.size, SigV4Signer.hex(Array(state.sha256.finalize())), failure)
        }
        if let failure = result.2 { throw .localFile(path, reason: "cannot sync: \(failure)") }
        return (result.0, result.1)
    }

    /// Closes the file without keeping it (no such object, or a failure): removes it.
    func discard() {
        state.withLock { state in
            if state.descriptor >= 0 { close(state.descriptor) }
            state.descriptor = -1
        }
        if let path { unlink(path) }
    }
}
