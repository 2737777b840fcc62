import EvictorCore

/// How a blob upload began: the registry mounted it from another repository, or opened a
/// session to send it to.
public enum BlobUploadStart: Sendable, Equatable {
    case mounted
    case session(String)
}

/// Blob uploads in parts: a session (or a cross-repository mount), chunks, the closing PUT.
/// Chunks and the closing PUT are sent once: repeating one the registry may have half taken
/// would corrupt the session, so a failed upload is cancelled and started again by the caller.
extension RegistryClient {
    /// Starts an upload to `repository`; with `mount`, first asks the registry to mount the
    /// blob from `from` (201: done). A registry that cannot mount opens a session instead.
    public func startBlobUpload(_ repository: String, mount: Digest? = nil, from: String? = nil) async throws(RegistryAPIError) -> BlobUploadStart {
        try RepositoryName.validate(repository)
        var path = "/v2/\(repository)/blobs/uploads/"
        var what = "upload to \(repository)"
        if let mount, let from {
            try RepositoryName.validate(from)
            path += "?mount=\(mount)&from=\(from)"
            what = "mount of \(mount) from \(from) into \(repository)"
        }
        let response = try expect(
            try await send(.POST, path, scope: .push(repository), what: what, body: [], bodyLimit: 1 << 16), [201, 202], what: what)
        if response.status == 201 { return .mounted }
        guard let location = response.header("Location") else {
            throw .invalidResponse(registry: registry, what: what, detail: "no Location for the upload session")
        }
        return .session(try sameOrigin(location, what: what))
    }

    /// Sends the bytes at `offset` of the blob to the session; returns the session's next location.
    public func uploadChunk(_ session: String, repository: String, bytes: [UInt8], offset: Int64) async throws(RegistryAPIError) -> String {
        let what = "upload to \(repository) (bytes \(offset)-\(offset + Int64(bytes.count) - 1))"
        let response = try expect(
            try await send(
                .PATCH, session, scope: .push(repository), what: what,
                headers: [
                    ("Content-Type", "application/octet-stream"), ("Content-Range", "\(offset)-\(offset + Int64(bytes.count) - 1)"),
                ],
                body: bytes, bodyLimit: 1 << 16, attempts: 1),
            [202], what: what)
        guard let location = response.header("Location") else {
            throw .invalidResponse(registry: registry, what: what, detail: "no Location after a chunk")
        }
        return try sameOrigin(location, what: what)
    }

    /// Closes the session with the last bytes (may be none); the registry checks the digest.
    public func finishBlobUpload(_ session: String, repository: String, digest: Digest, lastBytes: [UInt8]) async throws(RegistryAPIError) {
        let what = "upload of blob \(repository)@\(digest)"
        let separator = session.contains("?") ? "&" : "?"
        _ = try expect(
            try await send(
                .PUT, session + separator + "digest=\(digest)", scope: .push(repository), what: what,
                headers: [("Content-Type", "application/octet-stream")], body: lastBytes, bodyLimit: 1 << 16, attempts: 1),
            [201], what: what)
    }

    /// Abandons a session (best effort: the registry purges stale sessions anyway).
    public func cancelBlobUpload(_ session: String, repository: String) async {
        _ = try? await send(.DELETE, session, scope: .push(repository), what: "cancel of an upload to \(repository)", bodyLimit: 1 << 16, attempts: 1)
    }
}
