"""The shipped nginx configuration (deploy/nginx/), run for real over a published folder.

What a storefront gets from nginx is what the API answers: the same bytes, gzip or brotli when it asks
(the job's `.gz`/`.br` siblings), 304 on a matching ETag, open to any origin, the API's Cache-Control;
and a 404, the reader's cue to ask the API, for anything that is not published.

nginx keeps the files it sent open for up to a second (open_file_cache_valid 1s): after a change, the
tests wait for the new answer (`settled`, up to 3 s), then check that the old one never comes back
(`stays`, longer than that second)."""

from __future__ import annotations

import gzip
import http.client
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest

from bench._harness import NGINX_SITE, nginx

from .factories import make_review
from .helpers import run
from .published import published_name

README = Path(__file__).resolve().parent.parent / "README.md"
PRODUCTS = ["trail-runner-2", "bag/red ü"]  # the second one is published under its "~" name


def fetch(url: str, **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One GET as a browser sends it, nothing decoded: status, headers, raw body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        conn.request("GET", parts.path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        answer = conn.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        conn.close()


def settled(url: str, done, within: float = 3.0, **headers: str):
    """The first answer (status, headers, body) for which `done` holds, fetching again for up to
    `within` seconds: nginx may send the file it held open for up to 1 s after a change."""
    deadline = time.monotonic() + within
    while True:
        answer = fetch(url, **headers)
        if done(*answer):
            return answer
        assert time.monotonic() < deadline, f"after {within} s still {answer[0]} {answer[2][:80]!r}"
        time.sleep(0.05)


def stays(url: str, holds, seconds: float = 1.2, **headers: str) -> None:
    """`holds` is true of every answer for `seconds`, longer than nginx's open-file cache keeps a
    file (1 s) without looking at the disk again."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answer = fetch(url, **headers)
        assert holds(*answer), f"{answer[0]} {answer[2][:80]!r}"
        time.sleep(0.05)


@pytest.fixture
def site(app, client, shop, runner, tmp_path, nginx_binary):
    """Two products with published reviews, published to a folder that nginx serves."""
    for n, product in enumerate(PRODUCTS):
        for rating in (5, 3 + n):
            make_review(app, shop, product=product, rating=rating, status="published")
    root = tmp_path / "published"
    app.config.update(PUBLISH_STORAGE="local", PUBLISH_ROOT=str(root))
    result = run(runner, "publish")
    assert result.exit_code == 0, result.output
    with nginx(root, tmp_path / "nginx") as base:
        yield f"{base}/{shop.public_key}/"


def api(client, shop, path: str):
    return client.get(f"/api/v1/public/{shop.public_key}/{path}")


FILES = [  # (file under the shop's folder, the API's answer it copies)
    ("rating.json", "rating"),
    ("products/{name}/rating.json", "products/{id}/rating"),
    ("products/{name}/reviews.json", "products/{id}/reviews"),
    ("products/{name}/badge.svg", "products/{id}/badge.svg"),
    ("products/{name}/badge.hy.svg", "products/{id}/badge.svg?lang=hy"),
]


@pytest.mark.nginx
@pytest.mark.parametrize("product", PRODUCTS)
@pytest.mark.parametrize("file, answer", FILES)
def test_each_file_is_the_api_answer_with_its_headers(site, client, shop, product, file, answer):
    from_api = api(client, shop, answer.format(id=product.replace("/", "%2F")))
    status, headers, body = fetch(site + file.format(name=published_name(product)))
    assert status == 200 and from_api.status_code == 200
    assert body == from_api.data
    for name in ("Content-Type", "Cache-Control", "Access-Control-Allow-Origin", "Vary"):
        assert headers[name] == from_api.headers[name], name
    assert headers["ETag"]


@pytest.mark.nginx
@pytest.mark.parametrize("file", ["rating.json", "products/trail-runner-2/reviews.json",
                                  "products/trail-runner-2/badge.svg"])
@pytest.mark.parametrize("accept, encoding, decode", [
    ("gzip", "gzip", gzip.decompress), ("br", "br", brotli.decompress),
    ("gzip, deflate, br", "br", brotli.decompress)])
def test_compressed_when_asked(site, file, accept, encoding, decode):
    _, _, plain = fetch(site + file)
    status, headers, body = fetch(site + file, Accept_Encoding=accept)
    assert status == 200 and headers["Content-Encoding"] == encoding
    assert decode(body) == plain
    assert headers["Vary"] == "Accept-Encoding"


@pytest.mark.nginx
def test_without_the_brotli_module_nginx_starts_and_sends_gzip(site, shop, tmp_path):
    with nginx(tmp_path / "published", tmp_path / "plain-nginx", brotli=False) as base:
        status, headers, body = fetch(f"{base}/{shop.public_key}/rating.json", Accept_Encoding="br, gzip")
    assert status == 200 and headers["Content-Encoding"] == "gzip" and gzip.decompress(body)


@pytest.mark.nginx
def test_a_client_holding_the_etag_gets_304(site):
    url = site + "products/trail-runner-2/rating.json"
    _, headers, _ = fetch(url)
    status, again, body = fetch(url, If_None_Match=headers["ETag"])
    assert status == 304 and body == b""
    assert again["ETag"] == headers["ETag"] and again["Cache-Control"] == headers["Cache-Control"]
    status, _, body = fetch(url, If_None_Match='"something-else"')
    assert status == 200 and body


@pytest.mark.nginx
def test_a_new_body_of_the_same_size_gets_a_new_etag(site, app, shop, runner):
    # nginx's ETag is the file's time in whole seconds and its size. Another 4-star review leaves
    # the average at 4.0 and every number one digit long: the same size, rewritten within the same
    # second. A client holding the old body must get the new one, not 304.
    url = site + "products/trail-runner-2/rating.json"
    _, headers, before = fetch(url)
    make_review(app, shop, product="trail-runner-2", rating=4, status="published")
    assert run(runner, "publish").exit_code == 0
    status, again, body = settled(url, lambda status, *_: status != 304, If_None_Match=headers["ETag"])
    assert status == 200 and len(body) == len(before) and body != before
    assert b'"count":3' in body and again["ETag"] != headers["ETag"]
    stays(url, lambda status, _, answer: status == 200 and answer == body, If_None_Match=headers["ETag"])


@pytest.mark.nginx
def test_publishing_the_same_bytes_again_keeps_the_etag(site, runner):
    url = site + "products/trail-runner-2/reviews.json"
    _, headers, _ = fetch(url)
    assert run(runner, "publish").exit_code == 0
    # Past the second nginx may answer from the file it held open: the file on disk keeps the ETag.
    stays(url, lambda status, *_: status == 304, If_None_Match=headers["ETag"])


@pytest.mark.nginx
def test_an_erased_name_leaves_every_encoding_within_the_bound(site, app, client, shop, runner):
    # The README's bound for published files: the worker's round, then at most 1 s of nginx's
    # open-file cache, which holds the plain file and its .gz and .br each on its own.
    make_review(app, shop, product="trail-runner-2", name="Zebulon Quixote", email="zed@example.com",
                status="published")
    assert run(runner, "publish").exit_code == 0
    url = site + "products/trail-runner-2/reviews.json"
    encodings = {"identity": lambda body: body, "gzip": gzip.decompress, "br": brotli.decompress}
    for accept, decode in encodings.items():  # each one held open by nginx
        status, _, body = fetch(url, Accept_Encoding=accept)
        assert status == 200 and b"Zebulon" in decode(body)

    erased = client.post("/api/v1/customers/erase", json={"email": "zed@example.com"}, headers=shop.headers)
    assert erased.status_code == 200, erased.get_json()
    assert run(runner, "publish").exit_code == 0

    def gone(decode):
        return lambda status, _, body: status == 200 and b"Zebulon" not in decode(body)

    for accept, decode in encodings.items():
        _, _, body = settled(url, gone(decode), Accept_Encoding=accept)
        assert b'"reviews"' in decode(body)
    for accept, decode in encodings.items():
        stays(url, gone(decode), seconds=0.4, Accept_Encoding=accept)


@pytest.mark.nginx
def test_a_product_published_after_its_404_is_served_within_the_bound(site, app, shop, runner):
    # nginx keeps a missing file's 404 for up to 1 s too (open_file_cache_errors): the widget asks
    # the API meanwhile, and then gets the file.
    url = site + "products/new-arrival/rating.json"
    assert fetch(url)[0] == 404
    make_review(app, shop, product="new-arrival", rating=5, status="published")
    assert run(runner, "publish").exit_code == 0
    _, _, body = settled(url, lambda status, *_: status == 200)
    assert b'"count":1' in body
    stays(url, lambda status, _, answer: status == 200 and answer == body)


@pytest.mark.nginx
@pytest.mark.parametrize("path", [
    "products/never-reviewed/rating.json",  # not published: the reader asks the API
    "products/trail-runner-2/",  # no listing of a folder
    "products/",
    "products/trail-runner-2/rating.json.gz",  # the siblings are served only through Accept-Encoding
    "products/trail-runner-2/other.txt",
    "products/trail-runner-2/.rating.json.tmp",
])
def test_anything_else_is_404(site, path):
    status, headers, _ = fetch(site + path)
    assert status == 404


@pytest.mark.nginx
def test_a_missing_product_file_404_is_readable_cross_origin(site):
    # The widget's fetch must see the 404 (not a CORS error) to fall back to the API at once.
    status, headers, _ = fetch(site + "products/never-reviewed/rating.json", Origin="https://shop-a.example")
    assert status == 404 and headers["Access-Control-Allow-Origin"] == "*"


def test_readme_quotes_the_shipped_configuration():
    readme = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", readme, re.S)
    assert NGINX_SITE.read_text() in blocks
