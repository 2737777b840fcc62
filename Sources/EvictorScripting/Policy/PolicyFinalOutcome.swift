import EvictorCore
import Foundation

/// What a plan would finally do with a policy test's fixture repository: the policy's marks
/// after every rail the engine applies once `decide` has run (`SafetyRails`: in-use tags and
/// digests, shared digests, index children, referrers), and the plan-wide refusals (no or too
/// small an inventory, more than `max_delete_percent` of the tags deleted). `expect_final` in a
/// test case is checked against it.
struct PolicyFinalOutcome {
    /// Every tag's and untagged manifest's final verdict, with the steps that led to it.
    var decision: RepositoryDecision
    /// Why the plan would be refused (then nothing is deleted), or nil.
    var refusal: String?

    /// `maxDeletePercent`: as `--max-delete-percent` (default 50); `minInventory`: as
    /// `--min-inventory` (default: the policy's `min_inventory`).
    init(
        view: PolicyRepositoryView, verdicts: PolicyVerdicts, policy: PolicyPlugin, context: PolicyContext, maxDeletePercent: Double,
        minInventory: Int?
    )
        throws
    {
        let snapshot = try Self.snapshot(of: view)
        decision = SafetyRails.apply(to: snapshot, verdicts: verdicts)
        let minimum = minInventory ?? policy.minInventory
        let planner = Planner(settings: Plan.Settings(maxDeletePercent: maxDeletePercent, minInventory: minimum))
        do throws(EvictorCoreError) {
            try planner.checkInventory(needed: policy.needsInventory, given: context.inventory != nil)
            if let inventory = context.inventory {
                if inventory.images == 0 {
                    throw .refused("the inventory lists no images; an empty inventory protects nothing")
                } else if inventory.images < minimum {
                    throw .refused("the inventory lists \(inventory.images) images, fewer than \(minimum)")
                } else if inventory.onRegistry == 0 {
                    throw .refused("none of the \(inventory.images) images in the inventory is on \(context.registry)")
                }
            }
            _ = try planner.makePlan(
                registry: context.registry, policy: Plan.Input(name: policy.name, file: policy.file, sha256: policy.sha256), inventory: nil,
                snapshots: [snapshot], decisions: [decision], createdAt: context.now)
            refusal = nil
        } catch {
            guard case .refused(let reason) = error else {
                refusal = error.description
                return
            }
            refusal = reason
        }
    }

    /// The fixture as the rails see a registry's repository: each tag and untagged manifest an
    /// image (an index's children are the manifests naming it in `parents`), in-use tags and
    /// in-use untagged digests as an inventory would mark them.
    static func snapshot(of view: PolicyRepositoryView) throws -> RepositorySnapshot {
        var images: [Digest: ImageRecord] = [:]
        var tags: [TagRecord] = []
        var untagged: [Digest] = []
        var inUseDigests: [Digest: [String]] = [:]
        func record(_ image: PolicyRepositoryView.Image, what: String) throws -> Digest {
            guard let digest = try? Digest(parsing: image.digest) else { throw PolicyFixture.Invalid("\(what): '\(image.digest)' is not a digest") }
            images[digest] = ImageRecord(
                digest: digest, mediaType: image.mediaType, created: image.created, size: image.size, platforms: image.platforms,
                labels: image.labels, subject: image.subject.flatMap { try? Digest(parsing: $0) }, isIndex: image.isIndex)
            return digest
        }
        for tag in view.tags {
            let digest = try record(tag.image, what: "tag \(tag.name)")
            tags.append(TagRecord(name: tag.name, digest: digest, inUse: tag.image.inUse, usedBy: tag.usedBy))
        }
        var children: [(parent: String, child: Digest)] = []
        for manifest in view.untagged {
            let digest = try record(manifest.image, what: "untagged manifest")
            untagged.append(digest)
            if manifest.image.inUse { inUseDigests[digest] = ["named in the test's inventory"] }
            children += manifest.parents.map { ($0, digest) }
        }
        for (parent, child) in children {
            guard let digest = try? Digest(parsing: parent), images[digest] != nil else {
                throw PolicyFixture.Invalid("untagged manifest \(child): parent \(parent) is not a tag's or manifest's digest in the repository")
            }
            images[digest]?.children.append(child)
        }
        return RepositorySnapshot(
            name: view.name, tags: tags, images: images, untagged: untagged, inUse: view.inUse, usedBy: view.usedBy, inUseDigests: inUseDigests)
    }

    /// Tag names (or, for untagged manifests, digests) by final verdict.
    func names(tagged: Bool) -> [Verdict: Set<String>] {
        var result: [Verdict: Set<String>] = [.keep: [], .delete: []]
        for item in decision.items where (item.tag != nil) == tagged {
            result[item.verdict, default: []].insert(item.tag ?? item.digest.description)
        }
        return result
    }
}
