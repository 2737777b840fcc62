/// Listing: the catalog and tag lists, paged to the end.
extension RegistryClient {
    /// Every repository, following `Link: <...>; rel="next"` pages. `pageSize` is sent as `n`.
    public func repositories(pageSize: Int = 1000) async throws(RegistryAPIError) -> [String] {
        struct Page: Decodable { var repositories: [String]? }
        var names: [String] = []
        try await pages(first: "/v2/_catalog?n=\(pageSize)", scope: .catalog, what: "catalog") {
            (response: RegistryResponse) throws(RegistryAPIError) in
            let page = try decode(Page.self, from: response, what: "catalog")
            for name in page.repositories ?? [] {
                try RepositoryName.validate(name)
                names.append(name)
            }
            return page.repositories?.last
        }
        return names
    }

    /// Every tag of a repository (Distribution 2.8 ignores `n`; v3 and others page).
    public func tags(of repository: String, pageSize: Int = 1000) async throws(RegistryAPIError) -> [String] {
        try RepositoryName.validate(repository)
        struct Page: Decodable { var tags: [String]? }
        var tags: [String] = []
        let what = "tags of \(repository)"
        try await pages(first: "/v2/\(repository)/tags/list?n=\(pageSize)", scope: .pull(repository), what: what) {
            (response: RegistryResponse) throws(RegistryAPIError) in
            let page = try decode(Page.self, from: response, what: what)
            for tag in page.tags ?? [] {
                try RepositoryName.validateTag(tag)
                tags.append(tag)
            }
            return page.tags?.last
        }
        return tags
    }

    /// Fetches pages until there is no `Link` to a next one. `handle` returns the page's last
    /// entry, used to detect a registry that keeps answering the same page.
    private func pages(
        first: String, scope: AuthScope, what: String,
        handle: (RegistryResponse) throws(RegistryAPIError) -> String?
    ) async throws(RegistryAPIError) {
        var next: String? = first
        var seen: Set<String> = []
        var previousLast: String?
        while let path = next {
            guard seen.insert(path).inserted else {
                throw .invalidResponse(registry: registry, what: what, detail: "pagination loops back to \(path)")
            }
            let response = try expect(try await send(.GET, path, scope: scope, what: what, bodyLimit: configuration.jsonSizeLimit), [200], what: what)
            let last = try handle(response)
            guard let link = LinkHeader.next(response.header("Link")) else { return }
            if let last, last == previousLast {
                throw .invalidResponse(registry: registry, what: what, detail: "pagination repeats the same page")
            }
            previousLast = last
            next = try sameOrigin(link, what: what)
        }
    }

    /// A `Link`/`Location` target on this registry as a path or URL; other hosts are refused
    /// (credentials never leave the registry).
    func sameOrigin(_ target: String, what: String) throws(RegistryAPIError) -> String {
        if target.hasPrefix("/") { return target }
        let base = configuration.endpoint.baseURL
        if target.hasPrefix(base + "/") { return target }
        if target.hasPrefix("http://") || target.hasPrefix("https://") {
            throw .invalidResponse(registry: registry, what: what, detail: "link points to another host")
        }
        return "/v2/" + target
    }
}
