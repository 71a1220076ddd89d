"""Browser tests: the real service on a loopback port, Debian's Chromium driven by Playwright.

One server and one browser per test process; each test gets a fresh browser context (no shared
cookies, cache or storage) and its own shop, so tests never see each other's data.

Host pages are served by the same server from another origin: the widget is loaded from
`http://127.0.0.1:<port>` (the service) into pages on `http://localhost:<port>` (the shop), so
every request the widget makes is a real cross-origin one, with CORS and the origin check.

Chromium, Playwright or axe-core (from the axe-playwright-python package, a dev dependency)
missing: the tests skip, unless REVIEWS_TEST_REQUIRE contains "browser" (CI), in which case they fail.
"""

from __future__ import annotations

import importlib.resources
import itertools
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Response
from werkzeug.serving import WSGIRequestHandler, make_server

from reviews_service import create_app
from reviews_service.catalog import service as catalog
from reviews_service.collecting import service as reviews
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.reviews import media
from reviews_service.reviews.models import Reply, Review
from reviews_service.shops import service as shops

from ..conftest import base_config, unavailable
from ..factories import ShopKeys, jpeg, make_shop

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
HERE = Path(__file__).parent
ROOT = HERE.parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
_seq = itertools.count(1)


# --- the live server -----------------------------------------------------------------------------

@dataclass
class Live:
    """The running service, and helpers that make data through its services."""

    app: object
    origin: str  # the service: where the widget and the API are
    host_origin: str  # the shop's pages
    pages: dict = field(default_factory=dict)

    def ctx(self):
        return self.app.app_context()

    # shops, products, orders, reviews

    def shop(self, name: str = "Trail Shop", **settings) -> ShopKeys:
        return make_shop(self.app, f"{name} {next(_seq)}", origins=[self.host_origin, self.origin], **settings)

    def product(self, shop: ShopKeys, product_id: str = "shoe", name: str = "Trail shoe", **fields) -> str:
        with self.ctx():
            catalog.upsert_product(shops.get_shop(shop.id), product_id, {"name": name, **fields})
        return product_id

    def order(self, shop: ShopKeys, items: list[tuple[str, str]], name: str = "Ana Petrosyan",
              email: str | None = None) -> str:
        """An order of these (product id, name) items; answers its widget token."""
        n = next(_seq)
        with self.ctx():
            order, _ = catalog.ingest_order(shops.get_shop(shop.id), {
                "id": f"ORDER-{n}", "customer": {"email": email or f"buyer{n}@example.com", "name": name,
                                                 "locale": "en"},
                "items": [{"product_id": pid, "name": pname, "quantity": 1, "price": "10.00"}
                          for pid, pname in items],
                "placed_at": datetime.now(UTC), "currency": "EUR", "total": "10.00"})
            return catalog.widget_token(order)

    def review(self, shop: ShopKeys, product_id: str, rating: int = 5, *, title: str = "",
               body: str = "Good.", name: str = "Ana Petrosyan", photos: int = 0, verified: bool = True,
               days_ago: float = 0, reply: str | None = None, publish: bool = True) -> str:
        """A review through the submission service, published, dated `days_ago`; answers its id."""
        n = next(_seq)
        data = {"rating": rating, "title": title, "body": body, "display_name": name}
        if verified:
            data["token"] = self.order(shop, [(product_id, product_id)], name=name)
        else:
            data["email"] = f"reviewer{n}@example.com"
        with self.ctx():
            s = shops.get_shop(shop.id)
            data["photo_ids"] = [media.upload_photo(s, jpeg(400 + 40 * k, 300, seed=n * 7 + k),
                                                    visitor_hash="test").public_id for k in range(photos)]
            review = reviews.submit_review(s, product_id, data, reviews.Visitor(f"v{n}", f"i{n}"))
            if publish and review.status != "published":
                moderation.transition(review, "published", actor="moderator")
            if review.published_at:
                review.published_at = datetime.now(UTC) - timedelta(days=days_ago, seconds=n)
            if reply:
                db.session.add(Reply(review_id=review.id, body=reply))
            db.session.commit()
            return review.public_id

    def stored(self, shop: ShopKeys) -> list[Review]:
        with self.ctx():
            rows = list(db.session.scalars(db.select(Review).where(Review.shop_id == shop.id)
                                           .order_by(Review.id)))
            db.session.expunge_all()
            return rows

    # host pages

    def page(self, html: str, headers: dict | None = None) -> str:
        """Serve `html` as a shop's page; answers its URL (on the shop's origin)."""
        name = f"p{next(_seq)}"
        self.pages[name] = (html, headers or {})
        return f"{self.host_origin}/_host/{name}"

    def embed(self, shop: ShopKeys, product_id: str | None = None, *, attrs: str = "", lang: str = "en",
              dir: str = "ltr", before: str = "", after: str = "", headers: dict | None = None,
              body: str | None = None, head: str = "") -> str:
        """A shop's product page with the two-line embed (or `body` instead of the element)."""
        element = body if body is not None else (
            f'<div data-reviews-product="{product_id}" data-reviews-key="{shop.public_key}" {attrs}></div>')
        return self.page(f"""<!doctype html>
<html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><title>Host page</title>{head}</head>
<body><main><h1>A product</h1>{before}{element}{after}</main>
<script src="{self.origin}/widget/v1/reviews.js" async></script></body></html>""", headers)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per photo and script is noise in a failure
        pass


@pytest.fixture(scope="session")
def live(tmp_path_factory, sqlite_template):
    folder = tmp_path_factory.mktemp("live")
    path = folder / "reviews.db"
    shutil.copy(sqlite_template, path)
    holder: dict = {}
    server = make_server("127.0.0.1", 0, lambda env, start: holder["app"](env, start), threaded=True,
                         request_handler=_QuietHandler)
    port = server.server_port
    origin = f"http://127.0.0.1:{port}"
    app = create_app(base_config(folder, DATABASE_URL=f"sqlite:///{path}", PUBLIC_URL=origin,
                                 PUBLIC_WRITE_LIMIT="10000 per minute"))
    state = Live(app=app, origin=origin, host_origin=f"http://localhost:{port}")

    @app.get("/_host/<name>")
    def _host_page(name):
        html, headers = state.pages[name]
        return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store", **headers})

    holder["app"] = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- the browser ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable("browser", f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable("browser", f"Playwright is not installed: {exc}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh context and page; page errors fail the test, a screenshot is kept either way."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def axe_source() -> str:
    try:
        axe = importlib.resources.files("axe_playwright_python") / "axe.min.js"
        return axe.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        unavailable("browser", f"axe-core is missing: pip install -e '.[dev]' brings it ({exc})")


@pytest.fixture
def axe(page, axe_source):
    """Run axe-core (WCAG 2.1 A and AA rules) on the page, or on `selector`; answers the violations."""

    def run(selector: str | None = None) -> list[dict]:
        # evaluate() runs outside the page's CSP, so strict host pages can be checked too.
        page.evaluate(f"() => {{ if (!window.axe) {{ {axe_source}\n }} }}")
        context = f"{{include: [{selector!r}]}}" if selector else "document"
        result = page.evaluate(f"""async () => (await axe.run({context}, {{
            runOnly: {{type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}},
            resultTypes: ["violations"]}})).violations.map(v => ({{
              id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => ({{target: n.target, summary: n.failureSummary}}))}}))""")
        return result

    return run


# --- helpers -------------------------------------------------------------------------------------

def ready(page, count: int = 1) -> None:
    """Wait until `count` widgets on the page have rendered. (A locator, not wait_for_function:
    that one evaluates a string in the page, which a strict CSP rightly refuses.)"""
    page.locator("[data-reviews-state=ready]").nth(count - 1).wait_for(state="attached")
