#!/usr/bin/env python3
"""Keep-alive load generator for the exact request mix of `evictor check --all`: manifest GETs
and blob HEADs (wrk 4.1 cannot time HEAD). Several processes, one persistent connection each.

  mixload.py URL PATHS_FILE [--seconds 10] [--processes 16]
PATHS_FILE lines: "GET /v2/.../manifests/TAG" or "HEAD /v2/.../blobs/DIGEST".
Prints requests/second over all processes.
"""
import argparse, http.client, multiprocessing, time, urllib.parse

ACCEPT = ("application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
          "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json")

def worker(args):
    url, lines, seconds, offset = args
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port)
    done, i, deadline = 0, offset, time.time() + seconds
    while time.time() < deadline:
        method, path = lines[i % len(lines)]
        conn.request(method, path, headers={"Accept": ACCEPT})
        response = conn.getresponse()
        response.read()
        done += 1
        i += 1
    return done

def main():
    p = argparse.ArgumentParser()
    p.add_argument("url"); p.add_argument("paths")
    p.add_argument("--seconds", type=float, default=10); p.add_argument("--processes", type=int, default=16)
    a = p.parse_args()
    lines = [tuple(l.split(" ", 1)) for l in open(a.paths).read().split("\n") if l]
    step = max(1, len(lines) // a.processes)
    with multiprocessing.Pool(a.processes) as pool:
        counts = pool.map(worker, [(a.url, lines, a.seconds, k * step) for k in range(a.processes)])
    print("%.0f" % (sum(counts) / a.seconds))

if __name__ == "__main__":
    main()
