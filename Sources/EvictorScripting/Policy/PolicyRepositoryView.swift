import EvictorCore
import Foundation
import LuaRuntime

/// A repository exactly as a policy's `decide(repo, ctx)` sees it: built from a snapshot of a
/// real registry, or from a fixture in a policy test.
struct PolicyRepositoryView: Sendable {
    /// What tags and untagged manifests have in common: the image they name.
    struct Image: Sendable {
        var digest: String
        var mediaType = ""
        var created: Date?
        var size: Int64 = 0
        var platforms: [String] = []
        var labels: [String: String] = [:]
        var isIndex = false
        var subject: String?
        var inUse = false
        /// From the usage store; nil: it knows nothing of this manifest.
        var usage: UsageFacts?
    }

    struct Tag: Sendable {
        var name: String
        var image: Image
        var usedBy: [String] = []
    }

    struct Manifest: Sendable {
        var image: Image
        var parents: [String] = []
        var taggedParent = false
    }

    var name: String
    var inUse: Bool
    var usedBy: [String]
    /// Newest first.
    var tags: [Tag]
    var untagged: [Manifest]

    init(name: String, inUse: Bool, usedBy: [String], tags: [Tag], untagged: [Manifest]) {
        self.name = name
        self.inUse = inUse
        self.usedBy = usedBy
        self.tags = tags.sorted { RepositorySnapshot.isNewer($0.image.created, $0.name, than: $1.image.created, $1.name) }
        self.untagged = untagged
    }

    init(snapshot: RepositorySnapshot) {
        let taggedDigests = Set(snapshot.tags.map(\.digest))
        let tags = snapshot.tags.map { tag in
            let image = snapshot.images[tag.digest]
            return Tag(
                name: tag.name,
                image: Image(
                    record: image, digest: tag.digest, subject: snapshot.subject(ofTag: tag), inUse: tag.inUse, usage: snapshot.usage[tag.digest]),
                usedBy: tag.usedBy)
        }
        let parentsByChild = snapshot.parentsByChild
        let untagged = snapshot.untagged.sorted().filter { !taggedDigests.contains($0) }.map { digest in
            let image = snapshot.images[digest]
            let parents = parentsByChild[digest] ?? []
            return Manifest(
                image: Image(
                    record: image, digest: digest, subject: image?.subject, inUse: snapshot.inUseDigests[digest] != nil,
                    usage: snapshot.usage[digest]),
                parents: parents.map(\.description), taggedParent: parents.contains { taggedDigests.contains($0) }
            )
        }
        self.init(name: snapshot.name, inUse: snapshot.inUse, usedBy: snapshot.usedBy, tags: tags, untagged: untagged)
    }

    /// The plain data table the Lua side turns into objects with methods.
    var luaValue: LuaValue {
        var table = LuaTable()
        table["name"] = .string(LuaString(name))
        table["in_use"] = .boolean(inUse)
        table["used_by"] = Self.list(usedBy)
        table["tags"] = .table(
            LuaTable(
                array: tags.map { tag in
                    var fields = tag.image.luaFields
                    fields["name"] = .string(LuaString(tag.name))
                    fields["used_by"] = Self.list(tag.usedBy)
                    return .table(fields)
                }))
        table["untagged"] = .table(
            LuaTable(
                array: untagged.map { manifest in
                    var fields = manifest.image.luaFields
                    fields["parents"] = Self.list(manifest.parents)
                    fields["tagged_parent"] = .boolean(manifest.taggedParent)
                    return .table(fields)
                }))
        return .table(table)
    }

    static func list(_ strings: [String]) -> LuaValue {
        .table(LuaTable(array: strings.map { .string(LuaString($0)) }))
    }
}

extension PolicyRepositoryView.Image {
    init(record: ImageRecord?, digest: Digest, subject: Digest?, inUse: Bool, usage: UsageFacts? = nil) {
        self.init(
            digest: digest.description, mediaType: record?.mediaType ?? "", created: record?.created, size: record?.size ?? 0,
            platforms: record?.platforms ?? [], labels: record?.labels ?? [:], isIndex: record?.isIndex ?? false,
            subject: subject?.description, inUse: inUse, usage: usage
        )
    }

    /// The fields every tag and manifest object carries in Lua.
    var luaFields: LuaTable {
        var fields = LuaTable()
        fields["digest"] = .string(LuaString(digest))
        fields["media_type"] = .string(LuaString(mediaType))
        if let created { fields["created"] = .number(created.timeIntervalSince1970) }
        fields["size"] = .integer(size)
        fields["platforms"] = PolicyRepositoryView.list(platforms)
        var labelTable = LuaTable()
        for (key, value) in labels { labelTable[key] = .string(LuaString(value)) }
        fields["labels"] = .table(labelTable)
        fields["is_index"] = .boolean(isIndex)
        if let subject { fields["subject"] = .string(LuaString(subject)) }
        fields["in_use"] = .boolean(inUse)
        // Unknown stays nil, never 0: a manifest the store never saw may be pulled every day.
        if let usage {
            fields["pull_count"] = .integer(Int64(usage.pullCount))
            if let pulled = usage.lastPulled { fields["last_pulled"] = .number(pulled.timeIntervalSince1970) }
            if let pushed = usage.pushed { fields["pushed"] = .number(pushed.timeIntervalSince1970) }
        }
        return fields
    }
}
