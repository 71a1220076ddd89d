"""CORS and the write guards of the public API: reads open to any origin, writes only from the
shop's own origins and only as JSON (multipart for photos), and a refused write writes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reviews_service.extensions import db
from reviews_service.referrals.models import ReferralClick
from reviews_service.reviews.models import Photo, Report, Review, Vote
from tests import photo_corpus as corpus
from tests.factories import order_payload
from tests.referrals.conftest import code_of, set_program

ALLOWED = "https://shop-a.example"
# Another site, and another tenant's own origin.
FOREIGN_ORIGINS = ["https://evil.example", "https://shop-b.example"]
# Origins that look like the allowed one but are not it: it is matched exactly.
LOOKALIKE_ORIGINS = ["https://shop-a.example.evil.example", "http://shop-a.example",
                     "https://shop-a.example:8443", "https://sub.shop-a.example", "null",
                     "HTTPS://SHOP-A.EXAMPLE/", "https://shop-a.example/path"]


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@pytest.fixture
def order(client, shop) -> dict:
    """An order of sku-1, in a shop that runs a referral program."""
    set_program(client, shop)
    return client.post("/api/v1/orders", json=order_payload(), headers=shop.headers).json


@pytest.fixture
def review(client, shop, other_shop, order) -> str:
    """A published review of sku-1 (the other shop exists, with its own allowed origin)."""
    response = client.post(f"{shop.public}/products/sku-1/reviews",
                           json={"rating": 5, "token": order["widget_token"]})
    assert response.status_code == 201, response.json
    return response.json["id"]


@pytest.fixture
def writes(client, shop, review, order) -> dict[str, dict]:
    """One valid request of every public write, as keyword arguments of `client.post`."""
    referral_code = code_of(client, shop, order)
    return {
        "referral click": {"path": f"{shop.public}/referrals/clicks", "json": {"code": referral_code}},
        "submission": {"path": f"{shop.public}/products/sku-1/reviews",
                       "json": {"rating": 4, "email": "new@example.com", "display_name": "New"}},
        "vote": {"path": f"{shop.public}/reviews/{review}/votes", "json": {"value": "up"}},
        "report": {"path": f"{shop.public}/reviews/{review}/reports", "json": {"reason": "spam"}},
        "photo": {"path": f"{shop.public}/photos", "content_type": "multipart/form-data",
                  "data": {"photo": (io.BytesIO(corpus.small_jpeg()), "p.jpg")}},
    }


def written(app) -> dict[str, int]:
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        rows = {m.__tablename__: count(m) for m in (Review, Photo, Vote, Report, ReferralClick)}
    media = Path(app.config["MEDIA_ROOT"])
    rows["media files"] = sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
    return rows


def send(client, request: dict, **headers):
    kw = {k: v for k, v in request.items() if k != "path"}
    return client.post(request["path"], headers=headers, **kw)


WRITES = ["submission", "vote", "report", "photo", "referral click"]
OK = {"submission": 201, "vote": 200, "report": 202, "photo": 201, "referral click": 200}


# --- reads --------------------------------------------------------------------------------------

@pytest.mark.parametrize("origin", [None, ALLOWED, "https://evil.example"])
@pytest.mark.parametrize("path", ["products/sku-1/reviews", "reviews"])
def test_public_reads_answer_any_origin(client, shop, review, path, origin):
    response = client.get(f"{shop.public}/{path}", headers={"Origin": origin} if origin else {})

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_an_error_of_a_public_read_is_readable_by_any_origin(client, shop):
    response = client.get(f"{shop.public}/products/nope/reviews", headers={"Origin": "https://evil.example"})

    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- writes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("write", WRITES)
def test_a_write_from_an_allowed_origin_echoes_it_with_vary_origin(client, shop, writes, write):
    response = send(client, writes[write], Origin=ALLOWED)

    assert response.status_code == OK[write], response.json
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in response.headers.get_all("Vary") or "Origin" in response.headers.get("Vary", "")


@pytest.mark.parametrize("write", WRITES)
def test_a_write_without_an_origin_header_is_not_from_a_browser_and_is_accepted(client, shop, writes, write):
    response = send(client, writes[write])

    assert response.status_code == OK[write], response.json
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
@pytest.mark.parametrize("write", WRITES)
def test_a_write_from_another_origin_is_403_and_writes_nothing(app, client, shop, writes, write, origin):
    before = written(app)

    response = send(client, writes[write], Origin=origin)

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "Access-Control-Allow-Origin" not in response.headers
    assert written(app) == before


@pytest.mark.parametrize("origin", LOOKALIKE_ORIGINS)
def test_an_origin_must_match_an_allowed_one_exactly(app, client, shop, writes, origin):
    before = written(app)

    response = send(client, writes["vote"], Origin=origin)

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    assert written(app) == before


def test_another_shops_origin_may_write_to_that_shop_only(client, shop, other_shop, review):
    client.put("/api/v1/products/sku-1", json={"name": "Trail shoes"}, headers=other_shop.headers)
    body = {"rating": 4, "email": "new@example.com", "display_name": "New"}

    mine = client.post(f"{other_shop.public}/products/sku-1/reviews", json=body,
                       headers={"Origin": "https://shop-b.example"})

    assert mine.status_code == 201
    assert mine.headers["Access-Control-Allow-Origin"] == "https://shop-b.example"


def test_an_origin_added_in_the_shop_settings_may_write(client, shop, writes):
    patched = client.patch("/api/v1/shop", headers=shop.headers,
                           json={"allowed_origins": [ALLOWED, "https://www.shop-a.example"]})
    assert patched.status_code == 200, patched.json

    response = send(client, writes["vote"], Origin="https://www.shop-a.example")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://www.shop-a.example"


# --- the Referer, when a browser sends no Origin (issue 12, item 3) ------------------------------

@pytest.mark.parametrize("referer", [f"{ALLOWED}/products/trail-shoes?colour=red#reviews", f"{ALLOWED}/",
                                     "https://shop-a.example:443/cart", "https://Shop-A.example/"])
@pytest.mark.parametrize("write", WRITES)
def test_a_write_whose_referer_is_an_allowed_origins_page_is_accepted(client, shop, writes, write, referer):
    response = send(client, writes[write], Referer=referer)

    assert response.status_code == OK[write], response.json
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("referer", ["https://evil.example/page", "https://shop-b.example/",
                                     "https://shop-a.example.evil.example/", "http://shop-a.example/",
                                     "https://shop-a.example:8443/", "android-app://com.evil/",
                                     "not a url", "https://[::1/"])
@pytest.mark.parametrize("write", WRITES)
def test_a_write_whose_referer_is_another_origins_page_is_403_and_writes_nothing(app, client, shop, writes,
                                                                                  write, referer):
    before = written(app)

    response = send(client, writes[write], Referer=referer)

    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert written(app) == before


@pytest.mark.parametrize(("origin", "referer", "status"), [
    (ALLOWED, "https://evil.example/page", 200),
    ("https://evil.example", f"{ALLOWED}/page", 403),
], ids=["allowed-origin", "foreign-origin"])
def test_the_origin_header_decides_when_both_are_sent(client, shop, writes, origin, referer, status):
    response = send(client, writes["vote"], Origin=origin, Referer=referer)

    assert response.status_code == status


# --- the widget's visitor id, on every JSON write (issue 12, item 2) -----------------------------

JSON_WRITES = [w for w in WRITES if w != "photo"]  # a photo is multipart and carries no id


@pytest.mark.parametrize("visitor_id", ["A" * 22, "a1_-" * 10 + "xyz", None], ids=["shortest", "longest", "null"])
@pytest.mark.parametrize("write", JSON_WRITES)
def test_a_json_write_may_carry_the_visitor_id(client, shop, writes, write, visitor_id):
    request = writes[write]
    request["json"]["visitor_id"] = visitor_id

    assert send(client, request, Origin=ALLOWED).status_code == OK[write]


@pytest.mark.parametrize("visitor_id", ["A" * 21, "A" * 44, "has spaces in it, 22+ chars", "ünïcödé" * 4,
                                        "a/b" * 10, 12345678901234567890123, ["A" * 22], ""], ids=repr)
@pytest.mark.parametrize("write", JSON_WRITES)
def test_a_malformed_visitor_id_is_422_naming_it_and_writes_nothing(app, client, shop, writes, write, visitor_id):
    request = writes[write]
    request["json"]["visitor_id"] = visitor_id
    before = written(app)

    response = send(client, request, Origin=ALLOWED)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "visitor_id" in response.json["errors"] and "visitor_id" in response.json["detail"]
    assert written(app) == before


# --- preflight ----------------------------------------------------------------------------------

def _preflight(client, path: str, origin: str):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": "content-type"})


@pytest.mark.parametrize("write", WRITES)
def test_a_preflight_from_the_allowed_origin_gets_methods_and_headers(client, shop, writes, write):
    response = _preflight(client, writes[write]["path"], ALLOWED)

    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()
    assert "Origin" in response.headers.get("Vary", "")


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS + LOOKALIKE_ORIGINS)
def test_a_preflight_from_another_origin_gets_no_permission(client, shop, review, origin):
    response = _preflight(client, f"{shop.public}/reviews/{review}/votes", origin)

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


# --- JSON only ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("content_type", "body"), [
    ("application/x-www-form-urlencoded", "rating=4&email=new%40example.com&display_name=New"),
    ("multipart/form-data", {"rating": "4", "email": "new@example.com", "display_name": "New"}),
    ("text/plain", '{"rating": 4, "email": "new@example.com", "display_name": "New"}'),
    ("application/xml", "<review rating='4'/>"),
], ids=["form", "multipart", "text-plain-json", "xml"])
@pytest.mark.parametrize("origin", [None, ALLOWED])
def test_a_review_that_is_not_json_is_415_and_writes_nothing(app, client, shop, review, content_type,
                                                             body, origin):
    before = written(app)

    response = client.post(f"{shop.public}/products/sku-1/reviews", data=body, content_type=content_type,
                           headers={"Origin": origin} if origin else {})

    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"
    assert written(app) == before


@pytest.mark.parametrize("path", ["votes", "reports"])
def test_votes_and_reports_as_a_form_are_415(app, client, shop, review, path):
    before = written(app)

    response = client.post(f"{shop.public}/reviews/{review}/{path}", data={"value": "up", "reason": "spam"},
                           headers={"Origin": ALLOWED})

    assert response.status_code == 415
    assert written(app) == before
