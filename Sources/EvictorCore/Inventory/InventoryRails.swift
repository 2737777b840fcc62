import Foundation

/// The rails every command that reads an inventory obeys, whatever the policy
/// (policies/README.md, "Safety rails", rail 5): an inventory that was given must protect something on this registry. An empty
/// or suspiciously small one, or one none of whose images lives on this registry (another
/// host name for it, a typo in `--registry-alias`), is refused instead of silently counting
/// everything as unused.
public enum InventoryRails {
    /// The images of `inventory` that live on `registry` (or an alias). Throws `.refused` when
    /// the inventory is empty, lists fewer than `minimum` images, or none of them is here.
    public static func imagesOnRegistry(
        _ inventory: Inventory, registry: String, aliases: [String], minimum: Int
    ) throws(EvictorCoreError) -> [InventoryImage] {
        let count = inventory.images.count
        guard count > 0 else {
            throw .refused("the inventory lists no images; an empty inventory usually means a source failed, and it would protect nothing")
        }
        if count < minimum {
            throw .refused(
                "the inventory lists \(count) image\(count == 1 ? "" : "s"), fewer than \(minimum); "
                    + "an inventory that small usually means a source failed (override with --min-inventory \(count))"
            )
        }
        let here = inventory.images(onRegistry: registry, aliases: aliases)
        guard !here.isEmpty else {
            let hosts = hostsNamed(by: inventory)
            let shown = hosts.prefix(5).joined(separator: ", ") + (hosts.count > 5 ? " and \(hosts.count - 5) more" : "")
            let aliasText = aliases.isEmpty ? "" : " or its aliases (\(aliases.joined(separator: ", ")))"
            throw .refused(
                "none of the \(count) image\(count == 1 ? "" : "s") in the inventory is on \(registry)\(aliasText): "
                    + "the inventory names \(shown); if one of those is this registry, add --registry-alias HOST"
            )
        }
        return here
    }

    /// The registry hosts an inventory names, most images first.
    public static func hostsNamed(by inventory: Inventory) -> [String] {
        var counts: [String: Int] = [:]
        for image in inventory.images { counts[image.reference.domain, default: 0] += 1 }
        return counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
    }
}
