import EvictorCore
import Foundation
import LuaRuntime

/// Fixture repositories and contexts of policy tests, read from Lua tables.
enum PolicyFixture {
    struct Invalid: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func repository(_ value: LuaValue) throws -> PolicyRepositoryView {
        guard case .table(let table) = value, let name = table["name"].stringValue else { throw Invalid("'repository' needs a name") }
        var tags: [PolicyRepositoryView.Tag] = []
        for (index, element) in (table["tags"].tableValue?.arrayValues ?? []).enumerated() {
            guard case .table(let fields) = element, let tagName = fields["name"].stringValue else { throw Invalid("tag \(index + 1) needs a name") }
            var tag = PolicyRepositoryView.Tag(name: tagName, digest: fields["digest"].stringValue ?? Digest.sha256(of: Array("\(name):\(tagName)".utf8)).description)
            try fill(&tag.mediaType, &tag.created, &tag.size, &tag.platforms, &tag.labels, &tag.isIndex, &tag.subject, &tag.inUse, from: fields, what: "tag \(tagName)")
            tag.usedBy = strings(fields["used_by"])
            if tag.subject == nil { tag.subject = RepositorySnapshot.subjectFromTagName(tagName)?.description }
            tags.append(tag)
        }
        var untagged: [PolicyRepositoryView.Manifest] = []
        for (index, element) in (table["untagged"].tableValue?.arrayValues ?? []).enumerated() {
            guard case .table(let fields) = element, let digest = fields["digest"].stringValue else { throw Invalid("untagged manifest \(index + 1) needs a digest") }
            var manifest = PolicyRepositoryView.Manifest(digest: digest)
            try fill(&manifest.mediaType, &manifest.created, &manifest.size, &manifest.platforms, &manifest.labels, &manifest.isIndex, &manifest.subject, &manifest.inUse, from: fields, what: "manifest \(digest)")
            manifest.parents = strings(fields["parents"])
            manifest.taggedParent = fields["tagged_parent"].isTruthy
            untagged.append(manifest)
        }
        return PolicyRepositoryView(name: name, inUse: table["in_use"].isTruthy, usedBy: strings(table["used_by"]), tags: tags, untagged: untagged)
    }

    static func context(_ testCase: LuaTable, policy: PolicyPlugin) throws -> PolicyContext {
        var options = LuaTable()
        for option in policy.options where option.defaultValue != .nil { options[option.name] = option.defaultValue }
        if case .table(let given) = testCase["options"] {
            for (key, value) in given.entries {
                guard let name = key.stringValue else { throw Invalid("option names must be strings") }
                _ = try PluginOption.named(name, in: policy.options, owner: "policy \(policy.name)")
                options[name] = value
            }
        }
        var now = Date()
        if let text = testCase["now"].stringValue {
            guard let parsed = Timestamp.parse(text) else { throw Invalid("'now' is not an RFC 3339 time: \(text)") }
            now = parsed
        }
        var inventory: (images: Int, onRegistry: Int)?
        if case .table(let counts) = testCase["inventory"] {
            let images = Int(counts["images"].doubleValue ?? 0)
            inventory = (images, Int(counts["on_registry"].doubleValue ?? Double(images)))
        }
        return PolicyContext(now: now, options: .table(options), registry: testCase["registry"].stringValue ?? "registry.example:5000", inventory: inventory)
    }

    // swiftlint:disable:next function_parameter_count
    private static func fill(
        _ mediaType: inout String, _ created: inout Date?, _ size: inout Int64, _ platforms: inout [String], _ labels: inout [String: String],
        _ isIndex: inout Bool, _ subject: inout String?, _ inUse: inout Bool, from fields: LuaTable, what: String
    ) throws {
        mediaType = fields["media_type"].stringValue ?? (fields["is_index"].isTruthy ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json")
        switch fields["created"] {
        case .nil: created = nil
        case .string(let text):
            guard let date = Timestamp.parse(text.description) else { throw Invalid("\(what): 'created' is not an RFC 3339 time") }
            created = date
        case let value:
            guard let seconds = value.doubleValue else { throw Invalid("\(what): 'created' must be an RFC 3339 string or Unix seconds") }
            created = Date(timeIntervalSince1970: seconds)
        }
        size = Int64(fields["size"].doubleValue ?? 0)
        platforms = strings(fields["platforms"])
        if case .table(let table) = fields["labels"] {
            for (key, value) in table.entries { if let k = key.stringValue, let v = value.stringValue { labels[k] = v } }
        }
        isIndex = fields["is_index"].isTruthy
        subject = fields["subject"].stringValue
        inUse = fields["in_use"].isTruthy
    }

    private static func strings(_ value: LuaValue) -> [String] {
        (value.tableValue?.arrayValues ?? []).compactMap(\.stringValue)
    }
}
