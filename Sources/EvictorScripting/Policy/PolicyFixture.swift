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
            let digest = fields["digest"].stringValue ?? Digest.sha256(of: Array("\(name):\(tagName)".utf8)).description
            var tag = PolicyRepositoryView.Tag(
                name: tagName, image: try image(digest, from: fields, what: "tag \(tagName)"), usedBy: strings(fields["used_by"]))
            if tag.image.subject == nil { tag.image.subject = RepositorySnapshot.subjectFromTagName(tagName)?.description }
            tags.append(tag)
        }
        var untagged: [PolicyRepositoryView.Manifest] = []
        for (index, element) in (table["untagged"].tableValue?.arrayValues ?? []).enumerated() {
            guard case .table(let fields) = element, let digest = fields["digest"].stringValue else {
                throw Invalid("untagged manifest \(index + 1) needs a digest")
            }
            let manifest = PolicyRepositoryView.Manifest(
                image: try image(digest, from: fields, what: "manifest \(digest)"), parents: strings(fields["parents"]),
                taggedParent: fields["tagged_parent"].isTruthy
            )
            untagged.append(manifest)
        }
        return PolicyRepositoryView(name: name, inUse: table["in_use"].isTruthy, usedBy: strings(table["used_by"]), tags: tags, untagged: untagged)
    }

    static func context(_ testCase: LuaTable, policy: PolicyPlugin) throws -> PolicyContext {
        // The same checks and conversions as the command line's and the config file's options.
        var given = LuaTable()
        if case .table(let table) = testCase["options"] { given = table }
        let options = try PluginOption.resolve(policy.options, owner: "policy \(policy.name)", values: given)
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
        var context = PolicyContext(
            now: now, options: options, registry: testCase["registry"].stringValue ?? "registry.example:5000", inventory: inventory)
        if let text = testCase["usage_since"].stringValue {
            guard let parsed = Timestamp.parse(text) else { throw Invalid("'usage_since' is not an RFC 3339 time: \(text)") }
            context.usageSince = parsed
        }
        return context
    }

    private static func image(_ digest: String, from fields: LuaTable, what: String) throws -> PolicyRepositoryView.Image {
        var image = PolicyRepositoryView.Image(digest: digest)
        image.isIndex = fields["is_index"].isTruthy
        image.mediaType =
            fields["media_type"].stringValue
            ?? (image.isIndex ? "application/vnd.oci.image.index.v1+json" : "application/vnd.oci.image.manifest.v1+json")
        image.created = try time(fields["created"], "created", what: what)
        // Usage as the store gives it: all absent (unknown), or pull_count and optional times.
        let lastPulled = try time(fields["last_pulled"], "last_pulled", what: what)
        let pushed = try time(fields["pushed"], "pushed", what: what)
        if let count = fields["pull_count"].doubleValue {
            image.usage = UsageFacts(pushed: pushed, lastPulled: lastPulled, pullCount: Int(count))
        } else if lastPulled != nil || pushed != nil {
            throw Invalid("\(what): 'last_pulled' and 'pushed' need 'pull_count' (the store knows all three or nothing)")
        }
        image.size = Int64(fields["size"].doubleValue ?? 0)
        image.platforms = strings(fields["platforms"])
        if case .table(let table) = fields["labels"] {
            for (key, value) in table.entries { if let k = key.stringValue, let v = value.stringValue { image.labels[k] = v } }
        }
        image.subject = fields["subject"].stringValue
        image.inUse = fields["in_use"].isTruthy
        return image
    }

    /// An RFC 3339 string or Unix seconds; nil when absent.
    private static func time(_ value: LuaValue, _ name: String, what: String) throws -> Date? {
        switch value {
        case .nil: return nil
        case .string(let text):
            guard let date = Timestamp.parse(text.description) else { throw Invalid("\(what): '\(name)' is not an RFC 3339 time") }
            return date
        default:
            guard let seconds = value.doubleValue else { throw Invalid("\(what): '\(name)' must be an RFC 3339 string or Unix seconds") }
            return Date(timeIntervalSince1970: seconds)
        }
    }

    private static func strings(_ value: LuaValue) -> [String] {
        (value.tableValue?.arrayValues ?? []).compactMap(\.stringValue)
    }
}
