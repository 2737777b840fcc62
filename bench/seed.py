#!/usr/bin/env python3
"""Writes a CNCF Distribution 2.x filesystem store directly (no registry needed), fast.

  seed.py ROOT --tags 10000 [--repos 100] [--index-every 20] [--untagged-every 10] [--layer-kib 0]

Every tag gets its own OCI manifest, config (spread `created` times) and one unique layer, plus
a layer shared by every image of its repository; every N-th tag is a two-platform index; every
M-th tag also leaves an untagged older image behind (an overwritten tag), and every repository
has one blob nothing references (what garbage collection sweeps).
"""
import argparse, hashlib, json, os

def write_blob(v2, data, cache):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if digest not in cache:
        hexd = digest[7:]
        d = os.path.join(v2, "blobs", "sha256", hexd[:2], hexd)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "data"), "wb") as f:
            f.write(data)
        cache.add(digest)
    return digest

def link(v2, repo, rel, digest):
    p = os.path.join(v2, "repositories", repo, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(digest)

LAYER_KIB = 0

def image(v2, repo, seed, created, arch, shared, cache):
    layer = ("layer %s\n" % seed).encode() * 4
    if LAYER_KIB:
        # Padding that differs per image, so every unique layer is LAYER_KIB KiB more.
        layer += hashlib.sha256(seed.encode()).digest() * (LAYER_KIB * 32)
    ld = write_blob(v2, layer, cache)
    cfg = json.dumps({"architecture": arch, "os": "linux", "created": created,
                      "rootfs": {"type": "layers", "diff_ids": [shared[0], ld]}}, sort_keys=True).encode()
    cd = write_blob(v2, cfg, cache)
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(cfg)},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": shared[0], "size": shared[1]},
                               {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": len(layer)}]},
                   sort_keys=True).encode()
    md = write_blob(v2, m, cache)
    for d in (ld, cd, shared[0]):
        link(v2, repo, "_layers/sha256/%s/link" % d[7:], d)
    link(v2, repo, "_manifests/revisions/sha256/%s/link" % md[7:], md)
    return md, len(m)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--tags", type=int, default=10000)
    p.add_argument("--repos", type=int, default=100)
    p.add_argument("--index-every", type=int, default=20)
    p.add_argument("--untagged-every", type=int, default=10)
    p.add_argument("--layer-kib", type=int, default=0, help="pad each unique layer by this many KiB")
    a = p.parse_args()
    global LAYER_KIB
    LAYER_KIB = a.layer_kib
    v2 = os.path.join(a.root, "docker", "registry", "v2")
    cache = set()
    per_repo = max(1, a.tags // a.repos)
    made = 0
    for r in range(a.repos):
        repo = "team%02d/app%03d" % (r % 10, r)
        shared_data = ("shared base %d\n" % r).encode() * 64
        shared = (write_blob(v2, shared_data, cache), len(shared_data))
        write_blob(v2, ("orphan of %s\n" % repo).encode() * 16, cache)
        for t in range(per_repo):
            if made >= a.tags:
                break
            seed = "%s-%d" % (repo, t)
            created = "2024-%02d-%02dT%02d:00:00Z" % (1 + t % 12, 1 + t % 28, t % 24)
            if a.index_every and t % a.index_every == a.index_every - 1:
                children = []
                for arch in ("amd64", "arm64"):
                    cd, size = image(v2, repo, seed + arch, created, arch, shared, cache)
                    children.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": cd, "size": size,
                                     "platform": {"architecture": arch, "os": "linux"}})
                idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                                  "manifests": children}, sort_keys=True).encode()
                md = write_blob(v2, idx, cache)
                link(v2, repo, "_manifests/revisions/sha256/%s/link" % md[7:], md)
            else:
                md, _ = image(v2, repo, seed, created, "amd64", shared, cache)
            if a.untagged_every and t % a.untagged_every == 0:
                image(v2, repo, seed + "-overwritten", "2023-01-01T00:00:00Z", "amd64", shared, cache)
            tag = "v%d.%d.%d" % (t // 100, (t // 10) % 10, t % 10)
            link(v2, repo, "_manifests/tags/%s/current/link" % tag, md)
            link(v2, repo, "_manifests/tags/%s/index/sha256/%s/link" % (tag, md[7:]), md)
            made += 1
    print("seeded %d tags in %d repositories, %d blobs" % (made, a.repos, len(cache)))

if __name__ == "__main__":
    main()
