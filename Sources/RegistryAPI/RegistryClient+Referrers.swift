import EvictorCore

/// Referrers (signatures, SBOMs, attestations) of a manifest.
extension RegistryClient {
    /// The OCI referrers API, falling back to the `sha256-<hex>` tag schema when the registry
    /// has no such API (Distribution 2.8 answers 404).
    public func referrers(_ repository: String, subject: Digest) async throws(RegistryAPIError) -> [Descriptor] {
        try RepositoryName.validate(repository)
        let what = "referrers of \(repository)@\(subject)"
        let response = try await send(
            .GET, "/v2/\(repository)/referrers/\(subject)", scope: .pull(repository), what: what,
            headers: [("Accept", ManifestMediaType.ociIndex)], bodyLimit: configuration.manifestSizeLimit)
        if response.status == 200, Manifest.bareMediaType(response.header("Content-Type") ?? "") == ManifestMediaType.ociIndex {
            do {
                return try Manifest.parse(response.body, contentType: ManifestMediaType.ociIndex, digest: Digest.sha256(of: response.body)).children
            } catch {
                throw .invalidResponse(registry: registry, what: what, detail: "referrers index: \(error.reason)")
            }
        }
        guard response.status == 404 || response.status == 200 else {
            _ = try expect(response, [200], what: what)
            return []
        }
        let fallbackTag = "\(subject.algorithm)-\(subject.hex)"
        do {
            let index = try await manifest(repository, reference: fallbackTag)
            return index.kind == .index ? index.children : []
        } catch .notFound {
            return []
        }
    }
}
