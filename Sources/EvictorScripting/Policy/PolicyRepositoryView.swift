import EvictorCore
import Foundation
import LuaRuntime

/// A repository exactly as a policy's `decide(repo, ctx)` sees it: built from a snapshot of a
/// real registry, or from a fixture in a policy test.
struct PolicyRepositoryView: Sendable {
    struct Tag: Sendable {
        var name: String
        var digest: String
        var mediaType = ""
        var created: Date?
        var size: Int64 = 0
        var platforms: [String] = []
        var labels: [String: String] = [:]
        var inUse = false
        var usedBy: [String] = []
        var isIndex = false
        var subject: String?
    }

    struct Manifest: Sendable {
        var digest: String
        var mediaType = ""
        var created: Date?
        var size: Int64 = 0
        var platforms: [String] = []
        var labels: [String: String] = [:]
        var isIndex = false
        var parents: [String] = []
        var taggedParent = false
        var subject: String?
        var inUse = false
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
        self.tags = tags.sorted { RepositorySnapshot.isNewer($0.created, $0.name, than: $1.created, $1.name) }
        self.untagged = untagged
    }

    init(snapshot: RepositorySnapshot) {
        let taggedDigests = Set(snapshot.tags.map(\.digest))
        let tags = snapshot.tags.map { tag in
            let image = snapshot.images[tag.digest]
            return Tag(
                name: tag.name, digest: tag.digest.description, mediaType: image?.mediaType ?? "", created: image?.created,
                size: image?.size ?? 0, platforms: image?.platforms ?? [], labels: image?.labels ?? [:], inUse: tag.inUse,
                usedBy: tag.usedBy, isIndex: image?.isIndex ?? false, subject: snapshot.subject(ofTag: tag)?.description
            )
        }
        let untagged = snapshot.untagged.sorted().filter { !taggedDigests.contains($0) }.map { digest in
            let image = snapshot.images[digest]
            let parents = snapshot.parents(of: digest)
            return Manifest(
                digest: digest.description, mediaType: image?.mediaType ?? "", created: image?.created, size: image?.size ?? 0,
                platforms: image?.platforms ?? [], labels: image?.labels ?? [:], isIndex: image?.isIndex ?? false,
                parents: parents.map(\.description), taggedParent: parents.contains { taggedDigests.contains($0) },
                subject: image?.subject?.description, inUse: snapshot.inUseDigests[digest] != nil
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
        table["tags"] = .table(LuaTable(array: tags.map { tag in
            var fields = Self.common(digest: tag.digest, mediaType: tag.mediaType, created: tag.created, size: tag.size, platforms: tag.platforms, labels: tag.labels, isIndex: tag.isIndex, subject: tag.subject, inUse: tag.inUse)
            fields["name"] = .string(LuaString(tag.name))
            fields["used_by"] = Self.list(tag.usedBy)
            return .table(fields)
        }))
        table["untagged"] = .table(LuaTable(array: untagged.map { manifest in
            var fields = Self.common(digest: manifest.digest, mediaType: manifest.mediaType, created: manifest.created, size: manifest.size, platforms: manifest.platforms, labels: manifest.labels, isIndex: manifest.isIndex, subject: manifest.subject, inUse: manifest.inUse)
            fields["parents"] = Self.list(manifest.parents)
            fields["tagged_parent"] = .boolean(manifest.taggedParent)
            return .table(fields)
        }))
        return .table(table)
    }

    private static func common(
        digest: String, mediaType: String, created: Date?, size: Int64, platforms: [String], labels: [String: String], isIndex: Bool, subject: String?, inUse: Bool
    ) -> LuaTable {
        var fields = LuaTable()
        fields["digest"] = .string(LuaString(digest))
        fields["media_type"] = .string(LuaString(mediaType))
        if let created { fields["created"] = .number(created.timeIntervalSince1970) }
        fields["size"] = .integer(size)
        fields["platforms"] = list(platforms)
        var labelTable = LuaTable()
        for (key, value) in labels { labelTable[key] = .string(LuaString(value)) }
        fields["labels"] = .table(labelTable)
        fields["is_index"] = .boolean(isIndex)
        if let subject { fields["subject"] = .string(LuaString(subject)) }
        fields["in_use"] = .boolean(inUse)
        return fields
    }

    private static func list(_ strings: [String]) -> LuaValue {
        .table(LuaTable(array: strings.map { .string(LuaString($0)) }))
    }
}
