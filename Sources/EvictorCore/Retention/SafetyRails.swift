/// The rails the engine enforces after a policy, whatever it decided (policies/README.md, "Safety rails"):
///
/// 1. A tag or digest the inventory names is kept.
/// 2. A digest shared by a kept tag is kept (deleting a digest removes every tag on it).
/// 3. Children of a kept index are kept; deleting an index also deletes its children that
///    nothing else keeps (else garbage collection can never reclaim their layers).
/// 4. Referrers (signatures, SBOMs) follow their subject: kept with it, deleted with it.
/// 5. A manifest that could not be read (missing, corrupt, over the size limit) is kept: the
///    policy judged it blind, and apply could not journal it for a restore. In a repository
///    with such a manifest no untagged manifest is deleted either: an unreadable index may
///    list it, and nothing here can tell.
///
/// Rails only turn deletes into keeps, except rule 3's cascade and rule 4, which delete only
/// what a deleted manifest leaves behind and nothing keeps.
public enum SafetyRails {
    public static func apply(to snapshot: RepositorySnapshot, verdicts: PolicyVerdicts) -> RepositoryDecision {
        var items: [ItemDecision] = []
        for tag in snapshot.tagsNewestFirst {
            let (verdict, steps) = verdicts.verdict(forTag: tag.name)
            var item = ItemDecision(tag: tag.name, digest: tag.digest, verdict: verdict, steps: steps)
            if tag.inUse { keep(&item, "in use: \(tag.usedBy.first ?? "named in the inventory")") }
            if !snapshot.isReadable(tag.digest) { keep(&item, Self.unreadable) }
            items.append(item)
        }
        let tagged = Set(snapshot.tags.map(\.digest))
        for digest in snapshot.untagged.sorted() where !tagged.contains(digest) {
            let (verdict, steps) = verdicts.verdict(forUntagged: digest)
            var item = ItemDecision(tag: nil, digest: digest, verdict: verdict, steps: steps)
            if !snapshot.isReadable(digest) { keep(&item, Self.unreadable) }
            items.append(item)
        }
        for index in items.indices {
            if let users = snapshot.inUseDigests[items[index].digest], items[index].verdict == .delete {
                keep(&items[index], "digest in use: \(users.first ?? "pinned in the inventory")")
            }
        }
        cascadeToChildren(&items, snapshot: snapshot)
        followSubjects(&items, snapshot: snapshot)
        protectUntaggedWhenBlind(&items, snapshot: snapshot)
        protectUntilStable(&items, snapshot: snapshot)
        return RepositoryDecision(repository: snapshot.name, items: items)
    }

    // MARK: - Rules

    /// Children of a deleted index that nothing keeps go with it.
    private static func cascadeToChildren(_ items: inout [ItemDecision], snapshot: RepositorySnapshot) {
        var queue = items.filter { $0.verdict == .delete }.map(\.digest)
        var visited: Set<Digest> = []
        var firstPosition: [Digest: Int] = [:]
        for (position, item) in items.enumerated() where firstPosition[item.digest] == nil { firstPosition[item.digest] = position }
        while let parent = queue.popLast() {
            guard visited.insert(parent).inserted, let image = snapshot.images[parent], image.isIndex else { continue }
            for child in image.children {
                if let position = firstPosition[child] {
                    // An untagged child the policy did not mark follows its index; anything marked keeps its verdict.
                    guard items[position].tag == nil, items[position].verdict == .keep, items[position].steps.allSatisfy({ $0.origin == .default })
                    else { continue }
                    items[position].verdict = .delete
                    items[position].steps.append(DecisionStep(.delete, "child of deleted index \(parent)", origin: .rail))
                } else {
                    guard snapshot.isReadable(child) else { continue }
                    firstPosition[child] = items.count
                    items.append(
                        ItemDecision(
                            tag: nil, digest: child, verdict: .delete,
                            steps: [DecisionStep(.delete, "child of deleted index \(parent)", origin: .rail)]))
                }
                queue.append(child)
            }
        }
    }

    /// Referrers whose subject is in the repository take the subject's verdict.
    private static func followSubjects(_ items: inout [ItemDecision], snapshot: RepositorySnapshot) {
        let itemDigests = Set(items.map(\.digest))
        let present = itemDigests.union(snapshot.images.keys)
        let kept = Set(items.filter { $0.verdict == .keep }.map(\.digest))
        for index in items.indices {
            guard let subject = subject(of: items[index], snapshot: snapshot), present.contains(subject), !isPinned(items[index], snapshot) else {
                continue
            }
            // A subject that is no item (a child of a kept index) stays.
            let subjectKept = kept.contains(subject) || !itemDigests.contains(subject)
            if subjectKept, items[index].verdict == .delete {
                keep(&items[index], "referrer of kept \(subject)")
            } else if !subjectKept, items[index].verdict == .keep {
                items[index].verdict = .delete
                items[index].steps.append(DecisionStep(.delete, "referrer of deleted \(subject): follows its subject", origin: .rail))
            }
        }
    }

    /// Keeps every untagged manifest of a repository where some manifest could not be read:
    /// if that one is an index, its children are among them, and deleting one breaks it.
    private static func protectUntaggedWhenBlind(_ items: inout [ItemDecision], snapshot: RepositorySnapshot) {
        guard let unread = items.first(where: { !snapshot.isReadable($0.digest) }) else { return }
        for index in items.indices where items[index].tag == nil && items[index].verdict == .delete {
            keep(&items[index], "\(unread.name(in: snapshot.name)) could not be read and may list this manifest: kept")
        }
    }

    /// Turns deletes into keeps until nothing changes: shared digests, children of kept
    /// indexes, referrers of kept subjects.
    private static func protectUntilStable(_ items: inout [ItemDecision], snapshot: RepositorySnapshot) {
        var changed = true
        while changed {
            changed = false
            var keptBy: [Digest: String] = [:]
            for item in items where item.verdict == .keep { keptBy[item.digest] = keptBy[item.digest] ?? item.name(in: snapshot.name) }
            var neededBy: [Digest: Digest] = [:]
            var queue = Array(keptBy.keys)
            while let parent = queue.popLast() {
                for child in snapshot.images[parent]?.children ?? [] where neededBy[child] == nil && keptBy[child] == nil {
                    neededBy[child] = parent
                    queue.append(child)
                }
            }
            for index in items.indices where items[index].verdict == .delete {
                let digest = items[index].digest
                if let holder = keptBy[digest] {
                    keep(&items[index], "shares digest \(digest.short) with kept \(holder)")
                } else if let parent = neededBy[digest] {
                    keep(&items[index], "child of kept index \(parent.short)")
                } else if let subject = subject(of: items[index], snapshot: snapshot), keptBy[subject] != nil || neededBy[subject] != nil {
                    keep(&items[index], "referrer of kept \(subject.short)")
                } else {
                    continue
                }
                changed = true
            }
        }
    }

    // MARK: - Helpers

    private static let unreadable = "manifest could not be read (see `evictor check`): kept"

    private static func keep(_ item: inout ItemDecision, _ reason: String) {
        if item.verdict == .delete || !item.steps.contains(where: { $0.origin == .rail }) {
            item.steps.append(DecisionStep(.keep, reason, origin: .rail))
        }
        item.verdict = .keep
    }

    private static func subject(of item: ItemDecision, snapshot: RepositorySnapshot) -> Digest? {
        if let subject = snapshot.images[item.digest]?.subject { return subject }
        return item.tag.flatMap(RepositorySnapshot.subjectFromTagName)
    }

    private static func isPinned(_ item: ItemDecision, _ snapshot: RepositorySnapshot) -> Bool {
        item.steps.contains { $0.origin == .rail && $0.verdict == .keep }
    }
}
