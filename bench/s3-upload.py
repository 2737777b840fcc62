#!/usr/bin/env python3
"""Uploads a store written by seed.py to a bucket on an S3 endpoint, many objects at once.

  s3-upload.py ROOT ENDPOINT BUCKET [--prefix store] [--threads 32]

Every file under ROOT becomes the object PREFIX/<path relative to ROOT> (the key the
registry's s3 driver uses with `rootdirectory: /PREFIX`); the bucket is created first. Much
faster than pushing images through a registry. Credentials: AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (a local endpoint such as moto accepts any). Prints the object count.
"""
import argparse, os, sys
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("endpoint")
    p.add_argument("bucket")
    p.add_argument("--prefix", default="store")
    p.add_argument("--threads", type=int, default=32)
    a = p.parse_args()
    s3 = boto3.client("s3", endpoint_url=a.endpoint, region_name="us-east-1",
                      config=Config(max_pool_connections=a.threads, s3={"addressing_style": "path"},
                                    retries={"max_attempts": 5, "mode": "standard"}))
    s3.create_bucket(Bucket=a.bucket)
    files = []
    for directory, _, names in os.walk(a.root):
        for name in names:
            path = os.path.join(directory, name)
            files.append((path, a.prefix.strip("/") + "/" + os.path.relpath(path, a.root)))

    def put(item):
        path, key = item
        with open(path, "rb") as f:
            s3.put_object(Bucket=a.bucket, Key=key, Body=f.read())

    with ThreadPoolExecutor(a.threads) as pool:
        for _ in pool.map(put, files):
            pass
    print(len(files))


if __name__ == "__main__":
    sys.exit(main())
