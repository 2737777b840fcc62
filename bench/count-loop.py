#!/usr/bin/env python3
"""What the original registry-count.py did: the catalog, then each repository's tags/list, one
request at a time (no manifest requests). Prints "REPOSITORIES TAGS SECONDS"."""
import http.client, json, sys, time, urllib.parse

url = urllib.parse.urlparse(sys.argv[1])
connection = http.client.HTTPConnection(url.hostname, url.port)


def get(path):
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    link = response.getheader("Link")
    return json.loads(body), link


started = time.monotonic()
repositories, path = [], "/v2/_catalog?n=1000"
while path:
    page, link = get(path)
    repositories += page.get("repositories") or []
    path = link.split(";")[0].strip("<>") if link else None
tags = 0
for repository in repositories:
    path = f"/v2/{repository}/tags/list"
    while path:
        page, link = get(path)
        tags += len(page.get("tags") or [])
        path = link.split(";")[0].strip("<>") if link else None
print(len(repositories), tags, "%.3f" % (time.monotonic() - started))
