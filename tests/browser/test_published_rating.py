"""The widget reads a product's rating from the shop's published files (data-reviews-static) and falls
back to the API when the file is missing, unreachable or not a rating. The list still comes from the API.

The published folder is served by a small static server of the test's own (its own origin, CORS open
as nginx's configuration is); each file is written by the test with numbers the API would not give, so
that what the widget shows says where it came from."""

from __future__ import annotations

import json
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ..published import published_name
from .conftest import ready

pytestmark = pytest.mark.browser


class _Published(SimpleHTTPRequestHandler):
    seen: list[str]

    def end_headers(self):
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_request(self, code="-", size="-"):
        self.seen.append(self.path)


@pytest.fixture(scope="module")
def static_site(tmp_path_factory):
    """A folder served on its own loopback origin; answers (folder, base URL, the paths asked for)."""
    folder = tmp_path_factory.mktemp("published")
    seen: list[str] = []
    handler = type("Handler", (_Published,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{server.server_port}/reviews/", seen
    server.shutdown()
    thread.join(5)


def publish_rating(folder: Path, key: str, product: str, body: str) -> str:
    """Write a product's rating file where the contract puts it; answers its path on the site."""
    path = f"reviews/{key}/products/{published_name(product)}/rating.json"
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    (folder / path).write_text(body)
    return f"/{path}"


def seven_fives(product: str) -> str:
    return json.dumps({"product_id": product, "average": 5.0, "count": 7, "verified_count": 7,
                       "histogram": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 7}})


def api_rating_requests(page) -> list[str]:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/" in r.url and r.url.endswith("/rating")
            else None)
    return asked


@pytest.mark.parametrize("product", ["trail-2", "bag/red ü", "Zip jacket (blue)"])
def test_the_rating_comes_from_the_published_file(live, page, static_site, product):
    folder, base, seen = static_site
    shop = live.shop()
    live.review(shop, live.product(shop, product), 3, title="From the API")
    path = publish_rating(folder, shop.public_key, product, seven_fives(product))
    asked = api_rating_requests(page)
    page.goto(live.embed(shop, product, attrs=f'data-reviews-static="{base}"'))
    ready(page)
    assert page.locator(".count").inner_text().endswith("Based on 7 reviews")
    assert page.locator(".average").inner_text() == "5.0"
    assert path in seen and not asked
    if product != "trail-2":
        assert "/products/~" in path  # not a safe name: "~" and its base64url
    # The list is the API's, in the reader's language first.
    assert page.locator(".review-title").all_inner_texts() == ["From the API"]


@pytest.mark.parametrize("body", [None, "<html>Not here</html>", "null", "{}"])
def test_a_missing_or_broken_file_falls_back_to_the_api(live, page, static_site, body):
    folder, base, seen = static_site
    shop = live.shop()
    live.review(shop, live.product(shop, "trail-2"), 3)
    live.review(shop, "trail-2", 4)
    path = f"/reviews/{shop.public_key}/products/trail-2/rating.json"
    if body is not None:
        publish_rating(folder, shop.public_key, "trail-2", body)
    asked = api_rating_requests(page)
    page.goto(live.embed(shop, "trail-2", attrs=f'data-reviews-static="{base}"'))
    ready(page)
    assert page.locator(".count").inner_text().endswith("Based on 2 reviews")
    assert page.locator(".average").inner_text() == "3.5"
    assert path in seen and len(asked) == 1


def test_an_unreachable_static_site_falls_back_to_the_api(live, page):
    shop = live.shop()
    live.review(shop, live.product(shop, "trail-2"), 4)
    with socket.socket() as closed:  # a port nothing listens on: the fetch fails as a network error
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}/reviews"
    page.goto(live.embed(shop, "trail-2", attrs=f'data-reviews-static="{nowhere}"'))
    ready(page)
    assert page.locator(".count").inner_text().endswith("Based on 1 review")


def test_without_the_attribute_the_rating_comes_from_the_api(live, page, static_site):
    folder, _, seen = static_site
    shop = live.shop()
    live.review(shop, live.product(shop, "trail-2"), 4)
    publish_rating(folder, shop.public_key, "trail-2", seven_fives("trail-2"))
    asked = api_rating_requests(page)
    page.goto(live.embed(shop, "trail-2"))
    ready(page)
    assert page.locator(".count").inner_text().endswith("Based on 1 review")
    assert len(asked) == 1 and not any(shop.public_key in path for path in seen)


def test_the_attribute_may_sit_on_the_script_tag(live, page, static_site):
    folder, base, seen = static_site
    shop = live.shop()
    live.review(shop, live.product(shop, "trail-2"), 4)
    path = publish_rating(folder, shop.public_key, "trail-2", seven_fives("trail-2"))
    page.goto(live.page(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head>
<body><div data-reviews-product="trail-2"></div>
<script src="{live.origin}/widget/v1/reviews.js" data-reviews-key="{shop.public_key}"
        data-reviews-static="{base}" async></script></body></html>"""))
    ready(page)
    assert page.locator(".count").inner_text().endswith("Based on 7 reviews") and path in seen
