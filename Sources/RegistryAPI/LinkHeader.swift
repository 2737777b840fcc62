/// The `rel="next"` target of an RFC 8288 `Link` header, as registries use it for paging.
enum LinkHeader {
    static func next(_ value: String?) -> String? {
        guard let value else { return nil }
        for link in value.split(separator: ",") {
            guard let open = link.firstIndex(of: "<"), let close = link.firstIndex(of: ">"), open < close else { continue }
            let parameters = link[link.index(after: close)...].lowercased()
            if parameters.contains("rel=\"next\"") || parameters.contains("rel=next") {
                return String(link[link.index(after: open)..<close])
            }
        }
        return nil
    }
}
