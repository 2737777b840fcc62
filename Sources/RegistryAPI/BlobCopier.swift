import AsyncHTTPClient
import EvictorCore
import NIOCore

/// Copies one blob between repositories of two registries (or of one): skipped when the
/// destination has it, mounted when the caller knows a destination repository that has it,
/// else streamed in chunks, its digest computed on the way and checked before the upload is
/// closed. Memory stays near one chunk whatever the blob's size.
public struct BlobCopier: Sendable {
    /// What a copy did.
    public enum Outcome: Sendable, Equatable {
        /// The destination repository had it already.
        case present
        /// The destination mounted it from another of its repositories.
        case mounted
        /// Sent, this many bytes.
        case sent(bytes: Int64)
    }

    /// Bytes per upload request (the last one may be smaller; one may exceed it by what the
    /// source delivered in one piece).
    public var chunkSize: Int

    public init(chunkSize: Int = 8 << 20) {
        self.chunkSize = max(1 << 16, chunkSize)
    }

    /// Copies `digest` (`size` bytes when known) from `sourceRepository` on `source` to
    /// `repository` on `destination`, mounting from `mountFrom` when given. A transfer that
    /// fails (a dropped connection, a 5xx, a body that does not match its digest) is cancelled
    /// and started again, up to the destination's retry limit.
    public func copy(
        _ digest: Digest, size: Int64?, from source: RegistryClient, repository sourceRepository: String,
        to destination: RegistryClient, repository: String, mountFrom: String? = nil
    ) async throws(RegistryAPIError) -> Outcome {
        if try await destination.blobSize(repository, digest: digest) != nil { return .present }
        let attempts = max(1, destination.configuration.maxAttempts)
        var attempt = 0
        while true {
            attempt += 1
            let start = try await destination.startBlobUpload(repository, mount: mountFrom == nil ? nil : digest, from: mountFrom)
            guard case .session(let session) = start else { return .mounted }
            do {
                let bytes = try await send(digest, size: size, from: source, sourceRepository, session: session, to: destination, repository)
                return .sent(bytes: bytes)
            } catch {
                await destination.cancelBlobUpload(session, repository: repository)
                let failure = Self.registryError(error, source: source, what: "blob \(sourceRepository)@\(digest)")
                guard attempt < attempts, Self.mayHeal(failure), !Task.isCancelled else { throw failure }
                await destination.pauseBeforeRetry(afterAttempt: attempt)
                if try await destination.blobSize(repository, digest: digest) != nil { return .present }
            }
        }
    }

    /// One streamed transfer into an open session; returns the bytes sent.
    private func send(
        _ digest: Digest, size: Int64?, from source: RegistryClient, _ sourceRepository: String, session: String,
        to destination: RegistryClient, _ repository: String
    ) async throws -> Int64 {
        let chunkSize = self.chunkSize
        let what = "blob \(sourceRepository)@\(digest)"
        return try await source.withBlobStream(sourceRepository, digest: digest) { body in
            var hasher = DigestHasher()
            var pending: [UInt8] = []
            pending.reserveCapacity(chunkSize)
            var location = session
            var offset: Int64 = 0
            for try await piece in body {
                piece.withUnsafeReadableBytes { hasher.update($0) }
                if let size, hasher.count > size {
                    throw RegistryAPIError.invalidResponse(registry: source.registry, what: what, detail: "longer than its \(size) bytes")
                }
                pending.append(contentsOf: piece.readableBytesView)
                if pending.count >= chunkSize {
                    location = try await destination.uploadChunk(location, repository: repository, bytes: pending, offset: offset)
                    offset += Int64(pending.count)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            let actual = hasher.finalize()
            guard actual == digest else {
                throw RegistryAPIError.digestMismatch(registry: source.registry, what: what, expected: digest.description, actual: actual.description)
            }
            if let size, hasher.count != size {
                throw RegistryAPIError.invalidResponse(registry: source.registry, what: what, detail: "\(hasher.count) bytes, not \(size)")
            }
            try await destination.finishBlobUpload(location, repository: repository, digest: digest, lastBytes: pending)
            return hasher.count
        }
    }

    /// Failures a new attempt may not meet: the registry was busy or the bytes were spoiled on the way.
    static func mayHeal(_ error: RegistryAPIError) -> Bool {
        switch error {
        case .serverError, .timeout, .unreachable, .digestMismatch, .invalidResponse: return true
        default: return false
        }
    }

    /// `error` as a registry error: a transport failure while reading the body is the source's.
    static func registryError(_ error: Error, source: RegistryClient, what: String) -> RegistryAPIError {
        if let error = error as? RegistryAPIError { return error }
        if RegistryClient.isTimeout(error) { return .timeout(registry: source.registry, what: what, attempts: 1) }
        return .unreachable(registry: source.registry, detail: "\(what): \(RegistryClient.describe(error))")
    }
}
