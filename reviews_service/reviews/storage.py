"""Where processed photos live: a folder on this machine, or any S3-compatible object store.

Both backends take object names made by the caller from random tokens (`ab/abcdef...-1600.jpg`):
at most one folder level, URL-safe characters only. Anything else is refused with ValueError, so a
name can never climb out of the media root or turn into a surprising URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import quote

from ..files import atomic_write

# Public objects never change (a new upload gets a new random name), so caches may keep them.
CACHE_CONTROL = "public, max-age=31536000, immutable"
_NAME = re.compile(r"(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*/)?[A-Za-z0-9_-][A-Za-z0-9_.-]*")
_TEMP_PREFIX = ".tmp-"


def check_name(name: str) -> str:
    """Return `name` if it is a safe object name (one optional folder, no '..'), else raise ValueError."""
    if not isinstance(name, str) or ".." in name or not _NAME.fullmatch(name):
        raise ValueError(f"unsafe media object name: {name!r}")
    return name


@runtime_checkable
class Storage(Protocol):
    """What the reviews feature needs from a place to keep photo files."""

    def save(self, name: str, data: bytes, content_type: str) -> None:
        """Store `data` under `name`, replacing any object of that name."""

    def read(self, name: str) -> bytes:
        """The bytes stored under `name`; FileNotFoundError if there are none."""

    def delete(self, name: str) -> None:
        """Remove `name`; no error if it does not exist."""

    def exists(self, name: str) -> bool:
        """Whether an object is stored under `name`."""

    def url(self, name: str) -> str:
        """The public URL that serves `name`."""

    def list_names(self) -> list[str]:
        """The names of all stored objects, sorted."""


class LocalStorage:
    """Files under a folder, served by the app or a web server at `base_url`."""

    def __init__(self, root: str | Path, base_url: str):
        self.root = Path(root).resolve()
        self.base_url = base_url.rstrip("/")

    def _path(self, name: str) -> Path:
        return self.root / check_name(name)

    def save(self, name: str, data: bytes, content_type: str) -> None:
        """Write `data` atomically: readers see the old file or the new one, never half of it."""
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A web server serving the media folder as another user needs to read the files.
        with atomic_write(path, permissions=0o644, prefix=_TEMP_PREFIX) as handle:
            handle.write(data)

    def read(self, name: str) -> bytes:
        """The file's bytes; FileNotFoundError if absent."""
        return self._path(name).read_bytes()

    def delete(self, name: str) -> None:
        """Remove the file if it exists."""
        self._path(name).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        """Whether the file exists."""
        return self._path(name).is_file()

    def url(self, name: str) -> str:
        """`base_url` + "/" + `name`."""
        return f"{self.base_url}/{check_name(name)}"

    def list_names(self) -> list[str]:
        """All stored names; files no name could address (such as the dot-named temporary
        files of writes in progress) are left out."""
        if not self.root.is_dir():
            return []
        names = (path.relative_to(self.root).as_posix() for path in self.root.rglob("*") if path.is_file())
        return sorted(name for name in names if ".." not in name and _NAME.fullmatch(name))


class S3Storage:
    """Objects in an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, Backblaze B2, ...).

    `prefix` puts every object under a folder of the bucket. `public_base_url` is where the bucket
    is served from (a CDN or a public bucket domain) and addresses the bucket's root, so an
    object's URL is `public_base_url/prefix+name`.
    """

    list_page_size = 1000  # S3's maximum keys per listing request

    def __init__(self, bucket: str, *, endpoint_url: str | None = None, region: str | None = None,
                 access_key: str | None = None, secret_key: str | None = None,
                 public_base_url: str | None = None, prefix: str = ""):
        # Imported here so that a deployment on local storage never pays for loading boto3.
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        self.public_base_url = public_base_url.rstrip("/") if public_base_url else None
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        # Self-hosted stores (MinIO and friends) rarely have wildcard DNS for bucket subdomains,
        # so a custom endpoint gets path-style addressing. Timeouts keep a dead store from
        # holding a web worker for minutes.
        config = Config(
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"},
        )
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region, aws_access_key_id=access_key,
            aws_secret_access_key=secret_key, config=config,
        )

    def _key(self, name: str) -> str:
        return self.prefix + check_name(name)

    def save(self, name: str, data: bytes, content_type: str) -> None:
        """Put the object with its content type and a long-lived, immutable cache policy."""
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data,
                               ContentType=content_type, CacheControl=CACHE_CONTROL)

    def read(self, name: str) -> bytes:
        """The object's bytes; FileNotFoundError if absent."""
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if _is_missing(error):
                raise FileNotFoundError(name) from None
            raise
        return response["Body"].read()

    def delete(self, name: str) -> None:
        """Remove the object; S3 deletes are idempotent, so an absent object is no error."""
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def exists(self, name: str) -> bool:
        """Whether the object exists (a HEAD request)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as error:
            if _is_missing(error):
                return False
            raise
        return True

    def url(self, name: str) -> str:
        """The object's public URL: under `public_base_url`, else the endpoint's bucket URL."""
        key = quote(self._key(name))
        if self.public_base_url:
            return f"{self.public_base_url}/{key}"
        if self.endpoint_url:
            return f"{self.endpoint_url}/{self.bucket}/{key}"
        return f"https://{self.bucket}.s3.{self.client.meta.region_name}.amazonaws.com/{key}"

    def list_names(self) -> list[str]:
        """The names of all objects under the prefix, sorted."""
        names: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=self.prefix,
                                   PaginationConfig={"PageSize": self.list_page_size})
        for page in pages:
            names.extend(item["Key"][len(self.prefix):] for item in page.get("Contents", []))
        return sorted(names)


def _is_missing(error) -> bool:
    # GET answers NoSuchKey; HEAD has no body, so only its status survives, as "404".
    return error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound")


def storage_from_config(config: Mapping) -> Storage:
    """Build the storage the config names: `MEDIA_STORAGE` "local" (the default) or "s3".

    Local uses `MEDIA_ROOT` and `MEDIA_URL`; S3 uses `S3_BUCKET`, `S3_ENDPOINT_URL`, `S3_REGION`,
    `S3_ACCESS_KEY`, `S3_SECRET_KEY`, `S3_PUBLIC_URL` and `S3_PREFIX`. Without keys, boto3 finds
    credentials the usual way (environment, instance role). Raises ValueError on a bad config.
    """
    kind = (config.get("MEDIA_STORAGE") or "local").strip().lower()
    if kind == "local":
        if not config.get("MEDIA_ROOT"):
            raise ValueError("MEDIA_ROOT must name the folder for local media storage")
        return LocalStorage(config["MEDIA_ROOT"], config.get("MEDIA_URL") or "/media")
    if kind == "s3":
        return s3_storage_from_config(config, prefix=config.get("S3_PREFIX") or "")
    raise ValueError(f"MEDIA_STORAGE must be 'local' or 's3', not {kind!r}")


def s3_storage_from_config(config: Mapping, *, prefix: str) -> S3Storage:
    """The bucket of the `S3_*` settings under `prefix`: the photos' (`S3_PREFIX`), or another
    room's objects beside them (the published files, `PUBLISH_S3_PREFIX`)."""
    if not config.get("S3_BUCKET"):
        raise ValueError("S3_BUCKET is required for S3 storage")
    return S3Storage(
        config["S3_BUCKET"],
        endpoint_url=config.get("S3_ENDPOINT_URL") or None,
        region=config.get("S3_REGION") or None,
        access_key=config.get("S3_ACCESS_KEY") or None,
        secret_key=config.get("S3_SECRET_KEY") or None,
        public_base_url=config.get("S3_PUBLIC_URL") or None,
        prefix=prefix,
    )
