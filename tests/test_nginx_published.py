"""The shipped nginx configuration (deploy/nginx/), run for real over a published folder.

What a storefront gets from nginx is what the API answers: the same bytes, gzip or brotli when it asks
(the job's `.gz`/`.br` siblings), 304 on a matching ETag, open to any origin, the API's Cache-Control;
and a 404, the reader's cue to ask the API, for anything that is not published."""

from __future__ import annotations

import gzip
import http.client
import re
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
    status, again, body = fetch(url, If_None_Match=headers["ETag"])
    assert status == 200 and len(body) == len(before) and body != before
    assert b'"count":3' in body and again["ETag"] != headers["ETag"]


@pytest.mark.nginx
def test_publishing_the_same_bytes_again_keeps_the_etag(site, runner):
    url = site + "products/trail-runner-2/reviews.json"
    _, headers, _ = fetch(url)
    assert run(runner, "publish").exit_code == 0
    status, _, _ = fetch(url, If_None_Match=headers["ETag"])
    assert status == 304


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
