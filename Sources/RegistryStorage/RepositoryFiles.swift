/// The link files of one repository as a walk of the store found them, sorted by what they
/// are (paths and contents are not kept: only names and the store's ETags).
struct RepositoryFiles: Sendable {
    /// A link file's presence, and its ETag when the store gave one.
    struct Link: Sendable {
        var etag: String?
    }

    /// tag -> its `current/link`; nil when the tag's directory has none.
    var tags: [String: Link?] = [:]
    /// tag -> the hex digests of its `index/sha256/<hex>/link` entries (where it pointed).
    var tagHistory: [String: [String]] = [:]
    /// hex -> its revision link (revision directories without a link are left out, as the
    /// registry leaves them after a DELETE).
    var revisions: [String: Link] = [:]
    /// `_layers/sha256` entry names, with a link or not (what gc's sweep matches).
    var layerNames: Set<String> = []
    /// hex -> its `_layers` link.
    var layers: [String: Link] = [:]
    /// upload id -> whether it has a `startedat` file.
    var uploads: [String: Bool] = [:]
    /// Holds a `_manifests` or `_layers` directory: what makes a directory a repository.
    var isRepository = false

    /// Files the walk found, by their path components below the repository's directory
    /// (the first one starts with `_`; other paths belong to nested repositories).
    mutating func add(_ components: ArraySlice<Substring>, etag: String?) {
        let parts = Array(components)
        guard parts.count >= 2 else { return }
        switch parts[0] {
        case "_manifests":
            isRepository = true
            if parts[1] == "tags", parts.count >= 3 {
                let tag = String(parts[2])
                if parts.count == 5 && parts[3] == "current" && parts[4] == "link" {
                    tags[tag] = .some(Link(etag: etag))
                } else if tags[tag] == nil {
                    tags[tag] = .some(nil)
                }
                if parts.count == 7 && parts[3] == "index" && parts[4] == "sha256" && parts[6] == "link" {
                    tagHistory[tag, default: []].append(String(parts[5]))
                }
            } else if parts[1] == "revisions", parts.count == 5, parts[2] == "sha256", parts[4] == "link" {
                revisions[String(parts[3])] = Link(etag: etag)
            }
        case "_layers":
            isRepository = true
            guard parts[1] == "sha256", parts.count >= 3 else { return }
            layerNames.insert(String(parts[2]))
            if parts.count == 4 && parts[3] == "link" { layers[String(parts[2])] = Link(etag: etag) }
        case "_uploads":
            let id = String(parts[1])
            uploads[id] = (uploads[id] ?? false) || (parts.count == 3 && parts[2] == "startedat")
        default:
            break
        }
    }

    /// Adds what another walk of the same repository found.
    mutating func merge(_ other: RepositoryFiles) {
        for (tag, link) in other.tags where tags[tag] == nil || link != nil { tags[tag] = link }
        tagHistory.merge(other.tagHistory) { $0 + $1 }
        revisions.merge(other.revisions) { $1 }
        layerNames.formUnion(other.layerNames)
        layers.merge(other.layers) { $1 }
        uploads.merge(other.uploads) { $0 || $1 }
        isRepository = isRepository || other.isRepository
    }
}
