@testable import EvictorCore
import Foundation
import Testing

@Suite("safety rails and planner (no registry)")
struct SafetyRailsTests {
    static func digest(_ seed: String) -> Digest { Digest.sha256(of: Array(seed.utf8)) }

    static func image(_ seed: String, created: Double = 0, children: [Digest] = [], blobs: [String] = [], subject: Digest? = nil) -> ImageRecord {
        ImageRecord(
            digest: digest(seed),
            mediaType: children.isEmpty ? "application/vnd.oci.image.manifest.v1+json" : "application/vnd.oci.image.index.v1+json",
            created: Date(timeIntervalSince1970: created), manifestSize: 100, size: 1_100,
            children: children, blobs: blobs.map { BlobUse(digest: digest($0), size: 1_000) }, subject: subject, isIndex: !children.isEmpty
        )
    }

    static func snapshot(_ name: String, tags: [(String, String)], images: [ImageRecord], untagged: [String] = []) -> RepositorySnapshot {
        RepositorySnapshot(
            name: name, tags: tags.map { TagRecord(name: $0.0, digest: digest($0.1)) },
            images: Dictionary(uniqueKeysWithValues: images.map { ($0.digest, $0) }), untagged: untagged.map(digest)
        )
    }

    static func marks(_ pairs: [(String, Verdict)], default verdict: Verdict = .keep) -> PolicyVerdicts {
        var verdicts = PolicyVerdicts(defaultVerdict: verdict)
        for (name, verdict) in pairs { verdicts.tags[name, default: []].append(DecisionStep(verdict, "test rule", origin: .policy)) }
        return verdicts
    }

    static func verdict(_ decision: RepositoryDecision, tag: String) -> Verdict? { decision.items.first { $0.tag == tag }?.verdict }
    static func verdict(_ decision: RepositoryDecision, digest seed: String) -> Verdict? {
        decision.items.first { $0.tag == nil && $0.digest == digest(seed) }?.verdict
    }

    @Test("a manifest that could not be read is kept whatever the policy says; an index's unreadable child is left alone")
    func unreadableKept() {
        let child = Self.digest("gone-child")
        let snapshot = Self.snapshot(
            "app", tags: [("corrupt", "c"), ("fine", "f"), ("multi", "i")],
            images: [ImageRecord(digest: Self.digest("c"), mediaType: ""), Self.image("f"), Self.image("i", children: [child])],
            untagged: ["u"]
        )
        let decision = SafetyRails.apply(to: snapshot, verdicts: Self.marks([], default: .delete))
        #expect(Self.verdict(decision, tag: "corrupt") == .keep)
        #expect(decision.explain(tag: "corrupt").joined().contains("could not be read"))
        #expect(Self.verdict(decision, digest: "u") == .keep)
        #expect(Self.verdict(decision, tag: "fine") == .delete)
        #expect(Self.verdict(decision, tag: "multi") == .delete)
        #expect(!decision.items.contains { $0.digest == child })
    }

    @Test("beside an index that could not be read, no untagged manifest is deleted: it may be one of that index's children")
    func untaggedKeptBesideUnreadable() {
        // "big" points at an index too large to read; its children c1, c2 look untagged, and
        // c2 is also a child of the readable index "old", which the policy deletes.
        let snapshot = Self.snapshot(
            "app", tags: [("big", "big-index"), ("old", "old-index")],
            images: [Self.image("c1"), Self.image("c2"), Self.image("old-index", children: [Self.digest("c2")])],
            untagged: ["c1", "c2"]
        )
        var verdicts = Self.marks([("old", .delete)], default: .delete)
        for seed in ["c1", "c2"] { verdicts.untagged[Self.digest(seed)] = [DecisionStep(.delete, "untagged", origin: .policy)] }
        let decision = SafetyRails.apply(to: snapshot, verdicts: verdicts)
        #expect(Self.verdict(decision, tag: "big") == .keep)
        #expect(Self.verdict(decision, tag: "old") == .delete)
        #expect(Self.verdict(decision, digest: "c1") == .keep)
        #expect(Self.verdict(decision, digest: "c2") == .keep)
        let why = decision.explain(tag: Self.digest("c1").description).joined()
        #expect(why.contains("may list this manifest"), "\(why)")
        // The same repository with "big" readable deletes the untagged ones.
        var readable = snapshot
        readable.images[Self.digest("big-index")] = Self.image("big-index", children: [Self.digest("c9")])
        let clear = SafetyRails.apply(to: readable, verdicts: verdicts)
        #expect(Self.verdict(clear, digest: "c1") == .delete)
    }

    @Test("a tag sharing its digest with a kept tag is kept, and says why")
    func sharedDigest() {
        let snapshot = Self.snapshot("app", tags: [("stable", "x"), ("build-1", "x"), ("build-0", "y")], images: [Self.image("x"), Self.image("y")])
        let decision = SafetyRails.apply(to: snapshot, verdicts: Self.marks([("stable", .keep)], default: .delete))
        #expect(Self.verdict(decision, tag: "build-1") == .keep)
        #expect(Self.verdict(decision, tag: "build-0") == .delete)
        #expect(decision.explain(tag: "build-1").joined().contains("shares digest"))
        let actions = Planner.actions(for: decision, snapshot: snapshot)
        #expect(actions.map(\.tags) == [["build-0"]])
    }

    @Test("children of a kept index are kept; a deleted index takes its unmarked children, index first")
    func indexChildren() {
        let amd = Self.image("amd", created: 5, blobs: ["l1"])
        let arm = Self.image("arm", created: 6, blobs: ["l2"])
        let index = Self.image("idx", children: [amd.digest, arm.digest])
        let kept = Self.snapshot("web", tags: [("multi", "idx")], images: [index, amd, arm], untagged: ["amd", "arm"])
        var verdicts = Self.marks([("multi", .keep)])
        verdicts.untagged[amd.digest] = [DecisionStep(.delete, "untagged", origin: .policy)]
        let protected = SafetyRails.apply(to: kept, verdicts: verdicts)
        #expect(Self.verdict(protected, digest: "amd") == .keep)
        #expect(protected.explain(tag: amd.digest.description).joined().contains("child of kept index"))

        let gone = SafetyRails.apply(to: kept, verdicts: Self.marks([("multi", .delete)]))
        #expect(Self.verdict(gone, digest: "amd") == .delete)
        #expect(Self.verdict(gone, digest: "arm") == .delete)
        let actions = Planner.actions(for: gone, snapshot: kept)
        #expect(actions.first?.digest == index.digest)
        #expect(actions.map(\.phase) == [1, 2, 2])

        // A child that a kept tag points to stays; the other goes.
        let tagged = Self.snapshot("web", tags: [("multi", "idx"), ("amd64-only", "amd")], images: [index, amd, arm], untagged: ["arm"])
        let partial = SafetyRails.apply(to: tagged, verdicts: Self.marks([("multi", .delete)]))
        #expect(Self.verdict(partial, tag: "amd64-only") == .keep)
        #expect(Self.verdict(partial, digest: "arm") == .delete)
        #expect(!partial.items.contains { $0.tag == nil && $0.digest == amd.digest && $0.verdict == .delete })
    }

    @Test("referrers follow their subject, both ways")
    func referrers() {
        let subject = Self.image("subject")
        let signatureTag = "sha256-\(subject.digest.hex).sig"
        let signature = Self.image("sig")
        let snapshot = Self.snapshot("app", tags: [("v1", "subject"), (signatureTag, "sig")], images: [subject, signature])
        let keptSubject = SafetyRails.apply(to: snapshot, verdicts: Self.marks([("v1", .keep), (signatureTag, .delete)]))
        #expect(Self.verdict(keptSubject, tag: signatureTag) == .keep)
        let deletedSubject = SafetyRails.apply(to: snapshot, verdicts: Self.marks([("v1", .delete)]))
        #expect(Self.verdict(deletedSubject, tag: signatureTag) == .delete)
        #expect(Planner.actions(for: deletedSubject, snapshot: snapshot).first?.tags == [signatureTag])
    }

    @Test("in-use tags, digests and index children pinned by digest are kept")
    func inUse() throws {
        let amd = Self.image("amd")
        let index = Self.image("idx", children: [amd.digest])
        var snapshot = Self.snapshot(
            "shop/app", tags: [("v1", "idx"), ("v2", "y"), ("v3", "z")], images: [index, amd, Self.image("y"), Self.image("z")], untagged: ["amd"])
        let usage = InUseIndex(images: [
            InventoryImage(reference: try ImageReference(parsing: "reg.io/shop/app@\(amd.digest)"), seenAt: ["pod a"], sources: ["k8s"]),
            InventoryImage(reference: try ImageReference(parsing: "reg.io/shop/app:v2"), seenAt: ["pod b"], sources: ["k8s"]),
        ])
        usage.annotate(&snapshot)
        #expect(snapshot.inUse)
        let decision = SafetyRails.apply(to: snapshot, verdicts: Self.marks([], default: .delete))
        #expect(Self.verdict(decision, tag: "v1") == .keep)
        #expect(Self.verdict(decision, tag: "v2") == .keep)
        #expect(Self.verdict(decision, tag: "v3") == .delete)
        #expect(Self.verdict(decision, digest: "amd") == .keep)
    }

    @Test("a reference without tag or digest means :latest, for plan and check alike")
    func bareReferenceMeansLatest() throws {
        var snapshot = Self.snapshot("tools/debug", tags: [("latest", "l"), ("v1", "v")], images: [Self.image("l"), Self.image("v")])
        let usage = InUseIndex(images: [
            InventoryImage(reference: try ImageReference(parsing: "reg.io/tools/debug"), seenAt: ["compose;a.yml;debug"], sources: ["compose"])
        ])
        usage.annotate(&snapshot)
        #expect(snapshot.tags.first { $0.name == "latest" }?.inUse == true)
        #expect(snapshot.tags.first { $0.name == "v1" }?.inUse == false)
        #expect(usage.targets.map(\.reference) == ["latest"])
        #expect(usage.users("tools/debug", tag: "latest") == ["compose;a.yml;debug"])
        let decision = SafetyRails.apply(to: snapshot, verdicts: Self.marks([], default: .delete))
        #expect(Self.verdict(decision, tag: "latest") == .keep)
    }

    @Test("a digest pin marks the tag on it in use for check as for plan")
    func digestPinUsers() throws {
        let pinned = Self.image("p")
        let child = Self.image("c")
        let usage = InUseIndex(images: [
            InventoryImage(reference: try ImageReference(parsing: "reg.io/shop/app@\(pinned.digest)"), seenAt: ["pod a"], sources: ["k8s"])
        ])
        #expect(usage.users("shop/app", tag: "v9", digest: pinned.digest) == ["pod a"])
        #expect(usage.users("shop/app", tag: "v9", digest: child.digest, children: [pinned.digest]) == ["pod a"])
        #expect(usage.users("shop/app", tag: "v9", digest: child.digest).isEmpty)
        #expect(usage.targets.map(\.reference) == [pinned.digest.description])
    }

    @Test("a given inventory must be non-empty, large enough and name this registry")
    func inventoryRails() throws {
        func inventory(_ references: [String]) throws -> Inventory {
            Inventory(images: try references.map { InventoryImage(reference: try ImageReference(parsing: $0), seenAt: ["x"], sources: ["static"]) })
        }
        #expect(throws: EvictorCoreError.self) { try InventoryRails.imagesOnRegistry(Inventory(), registry: "r:5000", aliases: [], minimum: 0) }
        #expect(throws: EvictorCoreError.self) {
            try InventoryRails.imagesOnRegistry(try inventory(["r:5000/a:1"]), registry: "r:5000", aliases: [], minimum: 2)
        }
        let foreign = try inventory(["127.0.0.1:5000/a:1", "127.0.0.1:5000/b:1", "docker.io/library/nginx:1"])
        do {
            _ = try InventoryRails.imagesOnRegistry(foreign, registry: "localhost:5000", aliases: ["typo:5000"], minimum: 1)
            Issue.record("a foreign inventory was accepted")
        } catch {
            #expect(error.description.contains("127.0.0.1:5000, docker.io"), "\(error)")
            #expect(error.description.contains("--registry-alias"), "\(error)")
            #expect(error.description.contains("typo:5000"), "\(error)")
        }
        #expect(try InventoryRails.imagesOnRegistry(foreign, registry: "localhost:5000", aliases: ["127.0.0.1:5000"], minimum: 3).count == 2)
    }

    @Test("the planner refuses tiny or foreign inventories and too large a share")
    func plannerRefusals() throws {
        let planner = Planner(settings: Plan.Settings(maxDeletePercent: 50, minInventory: 10))
        #expect(throws: EvictorCoreError.self) { try planner.checkInventory(needed: true, given: false) }
        try planner.checkInventory(needed: true, given: true)
        try planner.checkInventory(needed: false, given: false)

        let snapshot = Self.snapshot(
            "a", tags: [("1", "a1"), ("2", "a2"), ("3", "a3")], images: [Self.image("a1"), Self.image("a2"), Self.image("a3")])
        let input = Plan.Input(name: "p", file: "p.lua", sha256: "00")
        let twoOfThree = SafetyRails.apply(to: snapshot, verdicts: Self.marks([("1", .keep)], default: .delete))
        #expect(throws: EvictorCoreError.self) {
            try planner.makePlan(registry: "http://r", policy: input, inventory: nil, snapshots: [snapshot], decisions: [twoOfThree])
        }
        let oneOfThree = SafetyRails.apply(to: snapshot, verdicts: Self.marks([("3", .delete)]))
        let plan = try planner.makePlan(registry: "http://r", policy: input, inventory: nil, snapshots: [snapshot], decisions: [oneOfThree])
        #expect(plan.tagsDeleted == 1)
    }

    @Test("reclaimable bytes count only blobs no surviving manifest in any repository uses, whatever order repositories are added in")
    func reclaimable() {
        let a = Self.snapshot(
            "a", tags: [("old", "a-old"), ("new", "a-new")],
            images: [Self.image("a-old", blobs: ["shared", "only-old"]), Self.image("a-new", blobs: ["new"])])
        let b = Self.snapshot("b", tags: [("v", "b-v")], images: [Self.image("b-v", blobs: ["shared"])])
        let decisions = [SafetyRails.apply(to: a, verdicts: Self.marks([("old", .delete)])), SafetyRails.apply(to: b, verdicts: Self.marks([]))]
        var draft = PlanDraft()
        draft.add(decisions[1], snapshot: b)  // out of order: the plan still lists repositories by name
        draft.add(decisions[0], snapshot: a)
        let plan = Planner(settings: Plan.Settings(maxDeletePercent: 100)).draftPlan(
            registry: "http://r", policy: Plan.Input(name: "p", file: "p.lua", sha256: "00"), inventory: nil, draft: draft)
        #expect(plan.repositories.map(\.repository) == ["a", "b"])
        #expect(plan.actions.map(\.repository) == ["a"])
        let bytes = Dictionary(uniqueKeysWithValues: plan.repositories.map { ($0.repository, $0.reclaimableBytes) })
        #expect(bytes["a"] == 1_100)  // only-old (1000) + the manifest (100); "shared" lives on in b
        #expect(bytes["b"] == 0)
    }

    @Test("a plan streamed to disk reads back the same, mode 0600")
    func planFileRoundTrip() throws {
        let snapshot = Self.snapshot(
            "a", tags: [("1", "a1"), ("2", "a2"), ("3", "a3")], images: [Self.image("a1"), Self.image("a2"), Self.image("a3")])
        let planner = Planner(settings: Plan.Settings(maxDeletePercent: 100, policyOptions: ["keep": "1"]))
        let decision = SafetyRails.apply(to: snapshot, verdicts: Self.marks([("1", .keep)], default: .delete))
        let plan = try planner.makePlan(
            registry: "http://r:5000", policy: Plan.Input(name: "p", file: "p.lua", sha256: "ab"), inventory: nil,
            snapshots: [snapshot], decisions: [decision], createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-plan-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanFile.write(plan, to: path)
        let read = try PlanFile.read(path)
        #expect(read.actions == plan.actions)
        #expect(read.repositories == plan.repositories)
        #expect(read.settings == plan.settings)
        #expect(read.registry == plan.registry)
        #expect(read.createdAt == plan.createdAt)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
    }
}
