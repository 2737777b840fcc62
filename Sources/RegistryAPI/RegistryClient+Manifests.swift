import Foundation
import EvictorCore
import NIOHTTP1

/// What a HEAD on a manifest tells without the body.
public struct ManifestHead: Sendable, Equatable {
    public var digest: Digest
    public var mediaType: String
    public var size: Int?
}

/// A manifest and the bytes it was parsed from.
public struct ManifestDocument: Sendable {
    public var manifest: Manifest
    public var bytes: [UInt8]
}

/// Manifests: fetch (verified), HEAD, delete by digest, put.
extension RegistryClient {
    /// GETs a manifest by tag or digest, checks the body's sha256 against the requested digest
    /// and `Docker-Content-Digest`, and parses it. A body that does not match is refused.
    public func manifest(_ repository: String, reference: String) async throws(RegistryAPIError) -> Manifest {
        try await manifestDocument(repository, reference: reference).manifest
    }

    /// Like `manifest`, and also the exact bytes the registry stored (for journals and restores).
    /// A body that does not match its digest may have been spoiled on the way (a proxy, a cut
    /// connection), so it is asked for again, up to the retry limit, before being reported.
    public func manifestDocument(_ repository: String, reference: String) async throws(RegistryAPIError) -> ManifestDocument {
        let what = Self.describeManifest(repository, reference)
        try validateReference(repository, reference)
        let body = try await retryingSpoiledBodies { () throws(RegistryAPIError) in
            try await fetchVerified(repository, reference: reference, what: what)
        }
        do {
            return ManifestDocument(manifest: try Manifest.parse(body.bytes, contentType: body.contentType, digest: body.digest), bytes: body.bytes)
        } catch {
            throw .corruptManifest(registry: registry, what: what, detail: error.reason, storedUnparseable: false)
        }
    }

    /// The digest a tag points to, from a GET whose body is hashed (a HEAD's digest header
    /// cannot be checked by anyone). The manifest is not parsed: any kind will do.
    public func verifiedDigest(_ repository: String, reference: String) async throws(RegistryAPIError) -> Digest {
        let what = Self.describeManifest(repository, reference)
        try validateReference(repository, reference)
        return try await retryingSpoiledBodies { () throws(RegistryAPIError) in try await fetchVerified(repository, reference: reference, what: what)
        }.digest
    }

    /// Runs `fetch` again, up to the retry limit, while its body does not match its digest.
    private func retryingSpoiledBodies<Result>(_ fetch: () async throws(RegistryAPIError) -> Result) async throws(RegistryAPIError) -> Result {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await fetch()
            } catch {
                guard Self.mayBeSpoiledInTransit(error), attempt < max(1, configuration.maxAttempts), !Task.isCancelled else { throw error }
                await pauseBeforeRetry(afterAttempt: attempt)
            }
        }
    }

    /// A digest that does not match, or a digest header that is not one.
    private static func mayBeSpoiledInTransit(_ error: RegistryAPIError) -> Bool {
        switch error {
        case .digestMismatch: return true
        case .invalidDigestHeader: return true
        default: return false
        }
    }

    /// A manifest's bytes as stored, its Content-Type and its digest.
    private struct VerifiedBody {
        var bytes: [UInt8]
        var contentType: String?
        var digest: Digest
    }

    /// One GET of a manifest, verified against the requested digest and the digest header.
    private func fetchVerified(_ repository: String, reference: String, what: String) async throws(RegistryAPIError) -> VerifiedBody {
        let raw = try await send(
            .GET, "/v2/\(repository)/manifests/\(reference)", scope: .pull(repository), what: what,
            headers: [("Accept", ManifestMediaType.acceptHeader)], bodyLimit: configuration.manifestSizeLimit)
        if raw.status == 500, let offset = Self.jsonSyntaxErrorOffset(raw.body) {
            throw .corruptManifest(
                registry: registry, what: what, detail: "the registry cannot parse the stored document (JSON error at byte \(offset))",
                storedUnparseable: true)
        }
        let response = try expect(raw, [200], what: what)
        let computed = Digest.sha256(of: response.body)
        let contentType = response.header("Content-Type")
        let isSchema1 = contentType.map { Manifest.bareMediaType($0).hasPrefix(ManifestMediaType.dockerSchema1) } ?? false
        if let requested = try? Digest(parsing: reference), !requested.matches(response.body), !isSchema1 {
            throw .digestMismatch(registry: registry, what: what, expected: requested.description, actual: computed.description)
        }
        if let header = response.header("Docker-Content-Digest"), !isSchema1 {
            guard let announced = try? Digest(parsing: header) else {
                throw .invalidDigestHeader(registry: registry, what: what)
            }
            guard announced.matches(response.body) else {
                throw .digestMismatch(registry: registry, what: what, expected: announced.description, actual: computed.description)
            }
        }
        var digest = computed
        if isSchema1, let header = response.header("Docker-Content-Digest"), let announced = try? Digest(parsing: header) {
            // Signed schema1 digests cover the payload without signatures; trust the registry's.
            digest = announced
        }
        return VerifiedBody(bytes: response.body, contentType: contentType, digest: digest)
    }

    /// HEADs a manifest: its digest, media type and size, or nil when it does not exist.
    public func manifestHead(_ repository: String, reference: String) async throws(RegistryAPIError) -> ManifestHead? {
        let what = Self.describeManifest(repository, reference)
        try validateReference(repository, reference)
        let response = try await send(
            .HEAD, "/v2/\(repository)/manifests/\(reference)", scope: .pull(repository), what: what,
            headers: [("Accept", ManifestMediaType.acceptHeader)], bodyLimit: 1 << 16)
        if response.status == 404 { return nil }
        _ = try expect(response, [200], what: what)
        guard let header = response.header("Docker-Content-Digest"), let digest = try? Digest(parsing: header) else {
            throw .invalidResponse(registry: registry, what: what, detail: "no valid Docker-Content-Digest header")
        }
        return ManifestHead(
            digest: digest,
            mediaType: response.header("Content-Type").map(Manifest.bareMediaType) ?? "",
            size: response.header("Content-Length").flatMap { Int($0) }
        )
    }

    /// DELETEs a manifest by digest (which also removes every tag of this repository on it).
    /// Returns false when the registry does not have it. A 405 means deletes are disabled.
    @discardableResult
    public func deleteManifest(_ repository: String, digest: Digest) async throws(RegistryAPIError) -> Bool {
        try RepositoryName.validate(repository)
        let what = "delete of \(repository)@\(digest)"
        let response = try await send(.DELETE, "/v2/\(repository)/manifests/\(digest)", scope: .delete(repository), what: what, bodyLimit: 1 << 16)
        if response.status == 404 { return false }
        _ = try expect(response, [200, 202], what: what)
        return true
    }

    /// PUTs a manifest under a tag or its digest; returns the digest the registry computed.
    @discardableResult
    public func putManifest(_ repository: String, reference: String, bytes: [UInt8], mediaType: String) async throws(RegistryAPIError) -> Digest {
        try validateReference(repository, reference)
        let what = "upload of manifest \(repository):\(reference)"
        let response = try expect(
            try await send(
                .PUT, "/v2/\(repository)/manifests/\(reference)", scope: .push(repository), what: what,
                headers: [("Content-Type", mediaType)], body: bytes, bodyLimit: 1 << 16),
            [200, 201], what: what
        )
        let computed = Digest.sha256(of: bytes)
        if let header = response.header("Docker-Content-Digest"), let announced = try? Digest(parsing: header), announced != computed {
            throw .digestMismatch(registry: registry, what: what, expected: computed.description, actual: announced.description)
        }
        return computed
    }

    /// Distribution 2.8 answers a stored manifest it cannot parse with HTTP 500 and Go's JSON
    /// syntax error as the detail: `{"errors":[{"code":"UNKNOWN","detail":{"Offset":50}}]}`.
    static func jsonSyntaxErrorOffset(_ body: [UInt8]) -> Int? {
        struct Errors: Decodable {
            struct Entry: Decodable {
                struct Detail: Decodable { var Offset: Int? }
                var code: String?
                var detail: Detail?
            }
            var errors: [Entry]?
        }
        guard let decoded = try? JSONDecoder().decode(Errors.self, from: Data(body)) else { return nil }
        return decoded.errors?.first { $0.code == "UNKNOWN" }?.detail?.Offset
    }

    func validateReference(_ repository: String, _ reference: String) throws(RegistryAPIError) {
        try RepositoryName.validate(repository)
        if reference.utf8.contains(UInt8(ascii: ":")) {
            do { _ = try Digest(parsing: reference) } catch { throw .invalidName(reference, reason: "not a valid digest") }
        } else {
            try RepositoryName.validateTag(reference)
        }
    }

    /// "manifest REPO:TAG" or "manifest REPO@DIGEST", for messages.
    static func describeManifest(_ repository: String, _ reference: String) -> String {
        "manifest \(repository)\(reference.utf8.contains(UInt8(ascii: ":")) ? "@" : ":")\(reference)"
    }
}
