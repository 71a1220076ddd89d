"""Media storage: the local folder backend, and the S3 backend against moto's server on loopback."""

from __future__ import annotations

import stat
import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

from reviews_service.reviews.storage import (
    CACHE_CONTROL,
    LocalStorage,
    S3Storage,
    Storage,
    storage_from_config,
)

NAME = "ab/abcdefghijklmnopqrstuv-1600.jpg"
UNSAFE_NAMES = ["../escape.jpg", "ab/../../escape.jpg", "..", "ab/..", "/etc/passwd", "ab/cd/ef.jpg",
                "", ".hidden", "ab/.hidden", "ab\\cd.jpg", "ab//cd.jpg", "ab/", "%2e%2e/x.jpg",
                "ab/cd.jpg\0", "C:/x.jpg"]


# ---- local folder ------------------------------------------------------------------------------

@pytest.fixture
def local(tmp_path):
    return LocalStorage(tmp_path / "media", "/media/")


def test_local_round_trip(local):
    local.save(NAME, b"pixels", "image/jpeg")
    assert local.read(NAME) == b"pixels"
    assert local.exists(NAME)
    assert local.list_names() == [NAME]


def test_local_save_replaces_an_existing_file(local):
    local.save(NAME, b"old", "image/jpeg")
    local.save(NAME, b"new", "image/jpeg")
    assert local.read(NAME) == b"new"


def test_local_save_leaves_no_temporary_file_and_is_world_readable(local):
    local.save(NAME, b"pixels", "image/jpeg")
    files = [path for path in local.root.rglob("*") if path.is_file()]
    assert [path.relative_to(local.root).as_posix() for path in files] == [NAME]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o644


def test_local_name_without_folder_is_allowed(local):
    local.save("top-level.webp", b"x", "image/webp")
    assert local.list_names() == ["top-level.webp"]


def test_local_delete_is_idempotent(local):
    local.save(NAME, b"pixels", "image/jpeg")
    local.delete(NAME)
    local.delete(NAME)
    assert not local.exists(NAME)
    assert local.list_names() == []


def test_local_read_of_missing_file_raises_file_not_found(local):
    with pytest.raises(FileNotFoundError):
        local.read(NAME)


def test_local_url_joins_base_url_and_name(local):
    assert local.url(NAME) == "/media/" + NAME


def test_local_list_leaves_out_files_no_name_could_address(local):
    local.save(NAME, b"pixels", "image/jpeg")
    (local.root / "ab" / ".tmp-abc123").write_bytes(b"half a write")
    (local.root / "ab" / "cd").mkdir()
    (local.root / "ab" / "cd" / "deep.jpg").write_bytes(b"x")
    assert local.list_names() == [NAME]


def test_local_list_of_a_root_never_written_is_empty(local):
    assert local.list_names() == []


@pytest.mark.parametrize("name", UNSAFE_NAMES)
@pytest.mark.parametrize("call", [
    lambda s, n: s.save(n, b"x", "image/jpeg"), lambda s, n: s.read(n), lambda s, n: s.delete(n),
    lambda s, n: s.exists(n), lambda s, n: s.url(n),
], ids=["save", "read", "delete", "exists", "url"])
def test_local_refuses_unsafe_names(local, tmp_path, name, call):
    with pytest.raises(ValueError):
        call(local, name)
    assert not (tmp_path / "escape.jpg").exists()


def test_local_storage_satisfies_the_protocol(local):
    assert isinstance(local, Storage)


# ---- configuration -----------------------------------------------------------------------------

def test_config_defaults_to_local_storage(tmp_path):
    storage = storage_from_config({"MEDIA_ROOT": str(tmp_path), "MEDIA_URL": "https://cdn.test/m"})
    assert isinstance(storage, LocalStorage)
    assert storage.url("x.jpg") == "https://cdn.test/m/x.jpg"


def test_config_builds_s3_storage():
    storage = storage_from_config({
        "MEDIA_STORAGE": "s3", "S3_BUCKET": "photos", "S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "S3_REGION": "eu-central-1", "S3_ACCESS_KEY": "k", "S3_SECRET_KEY": "s",
        "S3_PUBLIC_URL": "https://media.test/", "S3_PREFIX": "reviews",
    })
    assert isinstance(storage, S3Storage)
    assert storage.url(NAME) == "https://media.test/reviews/" + NAME


@pytest.mark.parametrize("config", [
    {"MEDIA_STORAGE": "ftp", "MEDIA_ROOT": "/tmp"}, {"MEDIA_STORAGE": "local"}, {"MEDIA_STORAGE": "s3"},
], ids=["unknown-backend", "local-without-root", "s3-without-bucket"])
def test_bad_config_is_refused(config):
    with pytest.raises(ValueError):
        storage_from_config(config)


# ---- S3, against moto in server mode on loopback -----------------------------------------------

@pytest.fixture(scope="module")
def s3_endpoint():
    with pytest.MonkeyPatch.context() as patch:
        # Fake credentials, and no way for boto3 to find real ones or a proxy.
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "NO_PROXY": "127.0.0.1",
        }.items():
            patch.setenv(key, value)
        for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "HTTP_PROXY", "HTTPS_PROXY"):
            patch.delenv(key, raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    name = f"photos-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3(s3_endpoint, bucket):
    return S3Storage(bucket, endpoint_url=s3_endpoint, region="us-east-1",
                     access_key="testing", secret_key="testing")


def test_s3_round_trip(s3):
    s3.save(NAME, b"pixels", "image/jpeg")
    assert s3.read(NAME) == b"pixels"
    assert s3.exists(NAME)
    assert s3.list_names() == [NAME]


def test_s3_object_carries_content_type_and_immutable_cache_policy(s3, s3_endpoint, bucket):
    s3.save(NAME, b"pixels", "image/webp")
    head = boto3.client("s3", endpoint_url=s3_endpoint).head_object(Bucket=bucket, Key=NAME)
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == CACHE_CONTROL == "public, max-age=31536000, immutable"


def test_s3_delete_is_idempotent(s3):
    s3.save(NAME, b"pixels", "image/jpeg")
    s3.delete(NAME)
    s3.delete(NAME)
    assert not s3.exists(NAME)
    assert s3.list_names() == []


def test_s3_read_of_missing_object_raises_file_not_found(s3):
    with pytest.raises(FileNotFoundError):
        s3.read(NAME)


def test_s3_url_is_endpoint_bucket_and_name(s3, s3_endpoint, bucket):
    assert s3.url(NAME) == f"{s3_endpoint}/{bucket}/{NAME}"


def test_s3_url_uses_the_public_base_url_when_set(s3_endpoint, bucket):
    storage = S3Storage(bucket, endpoint_url=s3_endpoint, public_base_url="https://cdn.test/")
    assert storage.url(NAME) == "https://cdn.test/" + NAME


def test_s3_prefix_scopes_keys_and_listing(s3_endpoint, bucket):
    other = S3Storage(bucket, endpoint_url=s3_endpoint)
    other.save("outside.jpg", b"x", "image/jpeg")
    scoped = S3Storage(bucket, endpoint_url=s3_endpoint, prefix="/reviews/")
    scoped.save(NAME, b"pixels", "image/jpeg")
    assert scoped.list_names() == [NAME]
    assert other.list_names() == sorted(["outside.jpg", "reviews/" + NAME])
    assert scoped.url(NAME) == f"{s3_endpoint}/{bucket}/reviews/{NAME}"


def test_s3_list_names_pages_through_many_objects(s3):
    s3.list_page_size = 2
    names = [f"p{i}.jpg" for i in range(5)]
    for name in names:
        s3.save(name, b"x", "image/jpeg")
    assert s3.list_names() == names


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_s3_refuses_unsafe_names(s3, name):
    with pytest.raises(ValueError):
        s3.save(name, b"x", "image/jpeg")


def test_s3_storage_satisfies_the_protocol(s3):
    assert isinstance(s3, Storage)
