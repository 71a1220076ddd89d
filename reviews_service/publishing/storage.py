"""Where published files go: a local folder (each file beside its `.gz` and `.br`, every one
written to a temporary name and renamed over the old), or the S3 bucket the photos use, under its
own prefix, with the API's `Content-Type` and `Cache-Control`.

A file that holds reviewers' names or text (`personal`) keeps one stable name and no older copy:
on S3, every older version of its key is deleted after each overwrite, so that an erased name
survives in no object version of a versioned bucket.
"""

from __future__ import annotations

import gzip
import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import brotli

from ..files import atomic_write
from ..reviews.storage import S3Storage, s3_storage_from_config

# Relative paths the room builds itself (names.py): safe segments, no "..", no leading slash.
_PATH = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9_.~-]*(?:/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*")
_TEMP_PREFIX = ".tmp-"


def check_path(path: str) -> str:
    if ".." in path or not _PATH.fullmatch(path):
        raise ValueError(f"unsafe published path: {path!r}")
    return path


def compressed(data: bytes) -> dict[str, bytes]:
    """The `.gz` and `.br` siblings' bytes (gzip with no name and time inside, so the same body
    always gives the same bytes)."""
    # Brotli's quality 5, not 11: on these 0.3-3 kB bodies 11 saves about 7 % of a few hundred
    # bytes and costs some 60 times the time (0.07 ms against 4.8 ms for a badge), 21 times per
    # product on every change.
    return {".gz": gzip.compress(data, compresslevel=9, mtime=0),
            ".br": brotli.compress(data, quality=5)}


class Target(Protocol):
    def put(self, path: str, data: bytes, content_type: str, cache_control: str, *, personal: bool) -> None:
        """Replace the file at `path` (relative to the published root) with `data`."""


class LocalTarget:
    """A folder served by nginx (or any web server), which picks the `.br` or `.gz` sibling."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    def put(self, path: str, data: bytes, content_type: str, cache_control: str, *, personal: bool) -> None:
        # A rename replaces the old file whole, so no older copy stays readable under any name;
        # the siblings first, so the plain file never announces a body its siblings do not hold yet.
        # Only a file with personal data waits for the disk (fsync): after a power cut an erased
        # name must not come back with the old file; a rating or badge is rewritten at its next
        # change or by `reviews-service publish`, and 63 fsyncs a product made a write 0.5 s.
        target = self.root / check_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = _unchanged_or_mtime(target, data)
        if previous is True:
            return  # the same bytes: the validators a server derives from the file stay valid
        # nginx's ETag is the file's modification time in whole seconds and its size: a new body of
        # the same size written within the same second would keep the old ETag, and a client
        # holding the old body would be told 304. So each new body gets a later second.
        stamp = max(time.time(), (previous or 0) + 1)
        for suffix, body in (*compressed(data).items(), ("", data)):
            with atomic_write(target.with_name(target.name + suffix), permissions=0o644,
                              prefix=_TEMP_PREFIX, sync=personal) as handle:
                handle.write(body)
                handle.flush()  # written before the stamp: a later write would move the time again
                os.utime(handle.fileno(), (stamp, stamp))


def _unchanged_or_mtime(target: Path, data: bytes) -> bool | int | None:
    """True when `target` already holds `data`; else the whole second it was last written, or
    None when there is no such file."""
    try:
        stat = target.stat()
        if stat.st_size == len(data) and target.read_bytes() == data:
            return True
        return int(stat.st_mtime)
    except FileNotFoundError:
        return None


class S3Target:
    """Objects in the photos' bucket (the same client settings), under `prefix`."""

    def __init__(self, storage: S3Storage):
        self.client, self.bucket, self.prefix = storage.client, storage.bucket, storage.prefix

    def put(self, path: str, data: bytes, content_type: str, cache_control: str, *, personal: bool) -> None:
        key = self.prefix + check_path(path)
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type,
                               CacheControl=cache_control)
        if personal:
            self.forget_older(key)

    def forget_older(self, key: str) -> None:
        """Delete every version of `key` but the current one (and any delete marker): in a
        versioned bucket an overwrite keeps the old body as a version until it is deleted."""
        paginator = self.client.get_paginator("list_object_versions")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=key):
            for item in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if item["Key"] == key and not item.get("IsLatest"):
                    self.client.delete_object(Bucket=self.bucket, Key=key, VersionId=item["VersionId"])


def target_from_config(config: Mapping) -> Target | None:
    """The target `PUBLISH_STORAGE` names: None when publishing is off (""), a `LocalTarget` on
    `PUBLISH_ROOT` for "local", an `S3Target` on the photos' `S3_*` settings under
    `PUBLISH_S3_PREFIX` for "s3". Raises ValueError on a bad config."""
    kind = (config.get("PUBLISH_STORAGE") or "").strip().lower()
    if not kind:
        return None
    if kind == "local":
        if not config.get("PUBLISH_ROOT"):
            raise ValueError("PUBLISH_ROOT must name the folder for published files")
        return LocalTarget(config["PUBLISH_ROOT"])
    if kind == "s3":
        return S3Target(s3_storage_from_config(config, prefix=config.get("PUBLISH_S3_PREFIX") or ""))
    raise ValueError(f"PUBLISH_STORAGE must be '', 'local' or 's3', not {kind!r}")
