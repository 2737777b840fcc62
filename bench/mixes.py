#!/usr/bin/env python3
"""Writes the request mix each evictor command makes against a seeded store, one request per
line ("GET /v2/..." or "HEAD /v2/..."), so the registry's ceiling can be measured on exactly it.

  mixes.py V2_DIR OUT_DIR      -> OUT_DIR/{count,check,plan}.txt
count: tags/list per repository + manifest HEAD per tag.
check: manifest GET per tag and per index child + blob HEAD per distinct blob of a repository.
plan:  tags/list per repository + manifest GET per tag and index child + config blob GET.
"""
import json, os, sys

def read_link(path):
    with open(path) as f:
        return f.read().strip()

def main():
    v2, out = sys.argv[1], sys.argv[2]
    root = os.path.join(v2, "repositories")
    def blob(digest):
        h = digest[7:]
        with open(os.path.join(v2, "blobs", "sha256", h[:2], h, "data"), "rb") as f:
            return json.loads(f.read())
    count, check, plan = [], [], []
    for dirpath, dirs, files in os.walk(root):
        if "_manifests" not in dirs:
            continue
        repo = os.path.relpath(dirpath, root)
        dirs[:] = [d for d in dirs if not d.startswith("_")]
        tags_dir = os.path.join(dirpath, "_manifests", "tags")
        count.append("GET /v2/%s/tags/list" % repo)
        plan.append("GET /v2/%s/tags/list" % repo)
        blobs, seen = set(), set()
        for tag in sorted(os.listdir(tags_dir)):
            digest = read_link(os.path.join(tags_dir, tag, "current", "link"))
            count.append("HEAD /v2/%s/manifests/%s" % (repo, tag))
            check.append("GET /v2/%s/manifests/%s" % (repo, tag))
            plan.append("GET /v2/%s/manifests/%s" % (repo, tag))
            todo = [digest]
            while todo:
                d = todo.pop()
                if d in seen:
                    continue
                seen.add(d)
                m = blob(d)
                if d != digest:
                    check.append("GET /v2/%s/manifests/%s" % (repo, d))
                    plan.append("GET /v2/%s/manifests/%s" % (repo, d))
                for child in m.get("manifests", []):
                    todo.append(child["digest"])
                if "config" in m:
                    plan.append("GET /v2/%s/blobs/%s" % (repo, m["config"]["digest"]))
                    for b in [m["config"]] + m.get("layers", []):
                        blobs.add(b["digest"])
        check += ["HEAD /v2/%s/blobs/%s" % (repo, b) for b in sorted(blobs)]
    for name, lines in (("count", count), ("check", check), ("plan", plan)):
        with open(os.path.join(out, name + ".txt"), "w") as f:
            f.write("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
