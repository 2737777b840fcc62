import EvictorCore

/// Blobs: existence, download (verified), monolithic upload.
extension RegistryClient {
    /// HEADs a blob: its size, or nil when the registry does not have it.
    public func blobSize(_ repository: String, digest: Digest) async throws(RegistryAPIError) -> Int64? {
        try RepositoryName.validate(repository)
        let what = "blob \(repository)@\(digest)"
        let response = try await send(.HEAD, "/v2/\(repository)/blobs/\(digest)", scope: .pull(repository), what: what, bodyLimit: 1 << 16)
        if response.status == 404 { return nil }
        _ = try expect(response, [200], what: what)
        return response.header("Content-Length").flatMap { Int64($0) } ?? -1
    }

    /// GETs a blob of at most `limit` bytes and checks its digest.
    public func blob(_ repository: String, digest: Digest, limit: Int) async throws(RegistryAPIError) -> [UInt8] {
        try RepositoryName.validate(repository)
        let what = "blob \(repository)@\(digest)"
        let response = try expect(
            try await send(.GET, "/v2/\(repository)/blobs/\(digest)", scope: .pull(repository), what: what, bodyLimit: limit), [200], what: what)
        guard digest.matches(response.body) else {
            throw .digestMismatch(registry: registry, what: what, expected: digest.description, actual: Digest.sha256(of: response.body).description)
        }
        return response.body
    }

    /// Uploads a blob in one request (POST for a session, then PUT with the digest).
    /// Skips the upload when the registry already has it.
    public func uploadBlob(_ repository: String, bytes: [UInt8]) async throws(RegistryAPIError) -> Digest {
        let digest = Digest.sha256(of: bytes)
        if try await blobSize(repository, digest: digest) != nil { return digest }
        let what = "upload of blob \(repository)@\(digest)"
        let start = try expect(
            try await send(.POST, "/v2/\(repository)/blobs/uploads/", scope: .push(repository), what: what, body: [], bodyLimit: 1 << 16), [202],
            what: what)
        guard let location = start.header("Location") else {
            throw .invalidResponse(registry: registry, what: what, detail: "no Location for the upload session")
        }
        let target = try sameOrigin(location, what: what)
        let separator = target.utf8.contains(UInt8(ascii: "?")) ? "&" : "?"
        _ = try expect(
            try await send(
                .PUT, target + separator + "digest=\(digest)", scope: .push(repository), what: what,
                headers: [("Content-Type", "application/octet-stream")], body: bytes, bodyLimit: 1 << 16),
            [201], what: what
        )
        return digest
    }
}
