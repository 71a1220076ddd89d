"""Photo upload through the public API: every hostile image gets its answer, nothing but clean
re-encodings is stored, `/media/` serves them safely, orphans are purged, and S3 works end to end."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from reviews_service import clock
from reviews_service.cli import main
from tests import photo_corpus as corpus
from tests.factories import make_product
from tests.helpers import assert_problem

ACCEPTED = [case for case in corpus.CORPUS if case.status is None]
# Strings only leaked metadata or a leaked payload could put into a stored file. Three-letter
# markers such as "GPS" can occur by chance in compressed pixels, so the GPS block is looked for
# by a value it carries instead.
LEAKS = [b"Exif", b"GPS WGS-84", b"SpyCam", b"Exif Leaker", b"ICC_PROFILE", b"http://ns.adobe.com/xap",
         b"<script", b"<html", corpus.HTML_TAIL, corpus.SECRET_COMMENT, corpus.SECRET_TEXT.encode()]


@pytest.fixture
def app_config(request):
    config = {"PUBLIC_WRITE_LIMIT": "1000 per minute"}
    if "bucket" in request.fixturenames:
        # The S3 tests: photos go to a bucket of moto's server on loopback.
        config.update(MEDIA_STORAGE="s3", S3_BUCKET=request.getfixturevalue("bucket"),
                      S3_ENDPOINT_URL=request.getfixturevalue("s3_endpoint"), S3_REGION="us-east-1",
                      S3_ACCESS_KEY="testing", S3_SECRET_KEY="testing", S3_PREFIX="reviews")
    return config


def post_photo(client, shop, data: bytes, filename: str = "photo.jpg", **kw):
    return client.post(f"{shop.public}/photos", content_type="multipart/form-data",
                       data={"photo": (io.BytesIO(data), filename)}, **kw)


def media_files(app) -> dict[str, bytes]:
    root = Path(app.config["MEDIA_ROOT"])
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def media_path(url: str) -> str:
    return urlsplit(url).path


# --- the hostile corpus -------------------------------------------------------------------------

@pytest.mark.parametrize("case", corpus.CORPUS, ids=lambda c: c.name)
def test_each_upload_gets_its_answer(app, client, shop, case):
    response = post_photo(client, shop, case.make())

    if case.status is None:
        assert response.status_code == 201, response.json
        assert response.mimetype == "application/json"
        assert set(response.json) == {"id", "url", "width", "height", "thumb_url", "thumb_width",
                                      "thumb_height"}
    else:
        assert_problem(response, case.status, field="photo", shopper=True)
        assert media_files(app) == {}


@pytest.mark.parametrize(("make", "filename", "status"), [
    (corpus.gif, "photo.jpg", 415), (corpus.svg, "photo.png", 415), (corpus.html, "photo.webp", 415),
    (corpus.small_jpeg, "photo.svg", 201), (corpus.small_jpeg, "photo.gif", 201),
    (corpus.small_jpeg, "photo", 201), (corpus.small_jpeg, "../../etc/passwd", 201),
    (corpus.good_png, "x" * 300 + ".html", 201),
], ids=lambda v: v.__name__ if callable(v) else str(v)[:20])
def test_the_content_decides_not_the_file_name(client, shop, make, filename, status):
    response = post_photo(client, shop, make(), filename)

    assert response.status_code == status, response.json


def test_stored_names_are_random_not_the_uploaded_name(app, client, shop):
    response = post_photo(client, shop, corpus.small_jpeg(), "my-holiday.jpg")

    assert not any("holiday" in name for name in media_files(app))
    assert "holiday" not in response.json["url"]


@pytest.mark.parametrize("size", [10 * 1024 * 1024 + 1, 10 * 1024 * 1024 + 512 * 1024, 12 * 1024 * 1024])
def test_an_upload_over_10_mb_is_413(app, client, shop, size):
    data = corpus.small_jpeg()
    response = post_photo(client, shop, data + bytes(size - len(data)))

    assert_problem(response, 413)
    assert media_files(app) == {}


def test_an_upload_of_exactly_10_mb_is_not_refused_for_its_size(client, shop):
    data = corpus.jpeg_with_html_tail()
    response = post_photo(client, shop, data + bytes(10 * 1024 * 1024 - len(data)))

    assert response.status_code == 201, response.json


@pytest.mark.parametrize(("content_type", "body"), [
    ("image/jpeg", "jpeg"),
    ("application/json", b'{"photo": "aGVsbG8="}'),
    ("application/x-www-form-urlencoded", b"photo=hello"),
    ("text/plain", b"hello"),
    (None, "jpeg"),
], ids=["raw-jpeg", "json", "form", "text", "untyped"])
def test_a_photo_that_is_not_multipart_is_415(app, client, shop, content_type, body):
    data = corpus.small_jpeg() if body == "jpeg" else body
    kw = {"content_type": content_type} if content_type else {}

    response = client.post(f"{shop.public}/photos", data=data, **kw)

    assert_problem(response, 415)
    assert media_files(app) == {}


@pytest.mark.parametrize("fields", [{}, {"image": "jpeg"}, {"photo": "not a file"}],
                         ids=["no-field", "other-name", "text-not-file"])
def test_multipart_without_a_photo_file_is_422(client, shop, fields):
    data = {name: (io.BytesIO(corpus.small_jpeg()), "p.jpg") if value == "jpeg" else value
            for name, value in fields.items()}

    response = client.post(f"{shop.public}/photos", data=data, content_type="multipart/form-data")

    assert_problem(response, 422)


def test_an_empty_photo_is_422(client, shop):
    assert_problem(post_photo(client, shop, b""), 422, field="photo", shopper=True)


# --- what is stored -----------------------------------------------------------------------------

@pytest.fixture
def uploaded(app, client, shop):
    """Every accepted upload of the corpus: the bytes sent, and the answer."""
    sent = {}
    for case in ACCEPTED:
        data = case.make()
        response = post_photo(client, shop, data)
        assert response.status_code == 201, (case.name, response.json)
        sent[case.name] = (data, response.json)
    return sent


def test_no_stored_file_holds_any_metadata(app, uploaded):
    files = media_files(app)
    assert len(files) == 2 * len(ACCEPTED)

    for name, data in files.items():
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.format in ("JPEG", "WEBP"), name
        assert not image.getexif(), name
        for key in ("exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp", "Comment", "Author"):
            assert key not in image.info, (name, key)
        assert not getattr(image, "text", None), name
        for leak in LEAKS:
            assert leak not in data, (name, leak)


def test_the_original_bytes_are_never_stored(app, uploaded):
    files = media_files(app).values()

    for name, (data, _) in uploaded.items():
        assert data not in files, name
        assert not any(data in stored for stored in files), name


def test_the_stored_display_image_is_a_re_encoding(client, uploaded):
    for name, (data, answer) in uploaded.items():
        served = client.get(media_path(answer["url"]))
        assert served.status_code == 200, name
        assert served.data != data, name
        stored = Image.open(io.BytesIO(served.data))
        assert stored.size == (answer["width"], answer["height"]), name
        assert max(stored.size) <= 1600, name


def test_the_gps_photo_is_turned_upright_and_keeps_nothing_but_pixels(client, shop):
    answer = post_photo(client, shop, corpus.jpeg_with_metadata()).json

    served = client.get(media_path(answer["url"])).data

    # Stored 60x40 with orientation 6 (rotate 90°): shown, and so re-encoded, 40x60.
    assert (answer["width"], answer["height"]) == (40, 60)
    assert b"GPS WGS-84" not in served and b"SpyCam" not in served and b"Exif" not in served


# --- /media -------------------------------------------------------------------------------------

def test_media_is_served_with_nosniff_a_sandbox_csp_and_a_long_cache(client, shop):
    answer = post_photo(client, shop, corpus.small_jpeg()).json

    for url in (answer["url"], answer["thumb_url"]):
        response = client.get(media_path(url))
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        csp = response.headers["Content-Security-Policy"]
        assert "sandbox" in csp and "default-src 'none'" in csp
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "immutable" in response.headers["Cache-Control"]


def test_a_transparent_photo_is_served_as_webp(client, shop):
    answer = post_photo(client, shop, corpus.palette_png_with_transparency()).json

    response = client.get(media_path(answer["url"]))

    assert response.mimetype == "image/webp"
    assert Image.open(io.BytesIO(response.data)).mode == "RGBA"


@pytest.mark.parametrize("path", [
    "/media/../reviews.db",
    "/media/..%2freviews.db",
    "/media/..%2F..%2Fetc%2Fpasswd",
    "/media/%2e%2e/reviews.db",
    "/media/ab/..%2f..%2freviews.db",
    "/media/%2fetc%2fpasswd",
    "/media//etc/passwd",
    "/media/ab/cd/ef.jpg",
    "/media/.tmp-abc",
    "/media/ab%5c..%5c..%5creviews.db",
    "/media/no-such-file.jpg",
])
def test_media_outside_the_stored_photos_is_404(app, client, path):
    (Path(app.config["MEDIA_ROOT"]) / "ab").mkdir(parents=True)
    (Path(app.config["MEDIA_ROOT"]) / ".tmp-abc").write_bytes(b"half-written")

    response = client.get(path)

    assert response.status_code == 404
    assert b"SQLite format" not in response.data and b"root:" not in response.data
    assert b"half-written" not in response.data


# --- orphans ------------------------------------------------------------------------------------

def _attach(client, shop, photo_id: str):
    response = client.post(f"{shop.public}/products/sku-1/reviews", json={
        "rating": 4, "email": "ana@example.com", "display_name": "Ana", "photo_ids": [photo_id]})
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(("hours", "orphan_kept"), [(23, True), (25, False)])
def test_check_deletes_photos_never_attached_after_24_hours(app, client, runner, shop, hours, orphan_kept):
    make_product(app, shop)
    orphan = post_photo(client, shop, corpus.small_jpeg()).json
    attached = post_photo(client, shop, corpus.small_jpeg()).json
    _attach(client, shop, attached["id"])

    clock.travel(timedelta(hours=hours))
    result = runner.invoke(main, ["check"])

    assert result.exit_code == 0, result.output
    assert f"Deleted {0 if orphan_kept else 1} photos" in result.output
    for url in (orphan["url"], orphan["thumb_url"]):
        assert client.get(media_path(url)).status_code == (200 if orphan_kept else 404)
    for url in (attached["url"], attached["thumb_url"]):
        assert client.get(media_path(url)).status_code == 200
    assert len(media_files(app)) == (4 if orphan_kept else 2)


def test_a_purged_photo_can_no_longer_be_attached(app, client, runner, shop):
    make_product(app, shop)
    orphan = post_photo(client, shop, corpus.small_jpeg()).json
    clock.travel(timedelta(hours=25))
    runner.invoke(main, ["check"])

    response = client.post(f"{shop.public}/products/sku-1/reviews", json={
        "rating": 4, "email": "ana@example.com", "display_name": "Ana", "photo_ids": [orphan["id"]]})

    assert_problem(response, 422, field="photo_ids", shopper=True)


# --- S3, against moto in server mode on loopback ------------------------------------------------

@pytest.fixture(scope="module")
def s3_endpoint():
    with pytest.MonkeyPatch.context() as patch:
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


def test_s3_backend_end_to_end(s3_endpoint, bucket, app, client, shop):
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")

    answer = post_photo(client, shop, corpus.jpeg_with_metadata()).json

    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert len(keys) == 2 and all(k.startswith("reviews/") for k in keys)
    for url in (answer["url"], answer["thumb_url"]):
        key = urlsplit(url).path.removeprefix(f"/{bucket}/")
        assert url == f"{s3_endpoint}/{bucket}/{key}"
        assert key in keys
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head["Metadata"] == {}
        assert head["ContentType"] == "image/jpeg"
        assert "immutable" in head["CacheControl"]
        data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        image = Image.open(io.BytesIO(data))
        assert not image.getexif() and "icc_profile" not in image.info and "comment" not in image.info
        assert not any(leak in data for leak in LEAKS)
    assert media_files(app) == {}
    # The app serves nothing itself when photos live in the bucket.
    assert client.get(urlsplit(answer["url"]).path.replace(f"/{bucket}/reviews", "/media")).status_code == 404


def test_s3_orphans_are_deleted_from_the_bucket(s3_endpoint, bucket, client, runner, shop):
    post_photo(client, shop, corpus.small_jpeg())
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 2

    clock.travel(timedelta(hours=25))
    result = runner.invoke(main, ["check"])

    assert "Deleted 1 photos" in result.output
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
