"""Helpers that drive the API as a shop's backend and its shoppers do, and the shared assertions:
the problem+json shape, and "nothing was written"."""

from __future__ import annotations

import io
import itertools

from sqlalchemy import func, select

from reviews_service.cli import main
from reviews_service.extensions import db

from . import photo_corpus as corpus
from .factories import order_payload

PROBLEM_KEYS = {"type", "title", "status", "detail"}
_seq = itertools.count(1)


# --- assertions ----------------------------------------------------------------------------------

def assert_problem(response, status: int, *, field: str | None = None, shopper: bool = False) -> dict:
    """The answer is problem+json with `status`; with `field`, its errors hold that field, and its
    detail names the field (the server API's "field: message"); with `shopper`, where the widget
    shows the detail as it is, it may also be that field's own message (the sentence a shopper
    reads)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert PROBLEM_KEYS <= body.keys(), body
    assert body["status"] == status
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    if field is not None:
        assert field in body.get("errors", {}), body
        assert field in body["detail"] or (shopper and body["detail"] in body["errors"][field]), body
    return body


def one_error_line(result) -> str:
    """The command failed with exactly one line of output, and no traceback."""
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def row_counts(app) -> dict[str, int]:
    """How many rows every table holds: equal before and after means nothing was written."""
    with app.app_context():
        counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
                  for t in db.metadata.sorted_tables}
        db.session.remove()
        return counts


# --- the operator (the `reviews-service` command) ------------------------------------------------

def run(runner, *args, input=None):
    """Run a `reviews-service` command; answers the result, whatever it is."""
    return runner.invoke(main, list(args), input=input)


# --- the shop's backend (server API) -------------------------------------------------------------

def set_settings(client, shop, **settings) -> dict:
    """PATCH the shop's settings; answers the shop."""
    response = client.patch("/api/v1/shop", json={"settings": settings}, headers=shop.headers)
    assert response.status_code == 200, response.json
    return response.json


def post_order(client, shop, order_id: str | None = None, *, fulfilled: bool = False, **kw) -> dict:
    """Post an order (`kw` as for `order_payload`); with `fulfilled`, its fulfilment too.
    Answers the order as the API shows it."""
    response = client.post("/api/v1/orders", json=order_payload(order_id, **kw), headers=shop.headers)
    assert response.status_code == 201, response.json
    if fulfilled:
        return order_event(client, shop, response.json["id"], "fulfilled")
    return response.json


def order_event(client, shop, order_id: str, kind: str) -> dict:
    response = client.post(f"/api/v1/orders/{order_id}/events", json={"type": kind}, headers=shop.headers)
    assert response.status_code == 200, response.json
    return response.json


def server_review(client, shop, public_id: str) -> dict:
    """A review as the server API shows it to its shop."""
    response = client.get(f"/api/v1/reviews/{public_id}", headers=shop.headers)
    assert response.status_code == 200, response.json
    return response.json


# --- shoppers (public API) -----------------------------------------------------------------------

def submit(client, shop, product: str = "sku-1", **body):
    """POST a review of `product` with `body`; answers the response, whatever it is."""
    return client.post(f"{shop.public}/products/{product}/reviews", json=body)


def upload_photo(client, shop, data: bytes | None = None, *, filename: str = "photo.jpg", **kw) -> dict:
    """Upload a photo (a small JPEG unless `data` is given); answers it as the API does (its id,
    urls and thumbnail size)."""
    response = client.post(f"{shop.public}/photos", content_type="multipart/form-data",
                           data={"photo": (io.BytesIO(data or corpus.small_jpeg()), filename)}, **kw)
    assert response.status_code == 201, response.json
    return response.json


def upload(client, shop, data: bytes | None = None, *, filename: str = "photo.jpg", **kw) -> str:
    """Upload a photo, as `upload_photo`; answers its id."""
    return upload_photo(client, shop, data, filename=filename, **kw)["id"]


def publish(client, shop, product: str = "sku-1", rating: int = 5, *, name: str = "Trail shoes",
            email: str = "buyer@example.com", title: str = "", body: str = "Good.", **fields) -> dict:
    """A verified buyer's review through the thank-you page's widget token: published at once.
    It has a few words (`body=""` for stars only, which e.g. the Google feed leaves out)."""
    order = post_order(client, shop, items=[(product, name)], email=email)
    response = submit(client, shop, product, rating=rating, token=order["widget_token"], title=title,
                      body=body, **fields)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "published", response.json
    return response.json


def write_review(client, shop, *, product: str = "sku-1", rating: int = 4, title: str = "",
                 body: str = "Light, warm and dry.", verified: bool = False, email: str | None = None,
                 photos: int = 0, environ: dict | None = None, **extra) -> str:
    """A review as a shopper writes it: a verified buyer's (an order of sku-1 and sku-2 of its own)
    or an anonymous one, from a visitor of its own unless `environ` says; answers its public id."""
    n = next(_seq)
    data = {"rating": rating, "title": title, "body": body, "display_name": "Ana Petrosyan", **extra}
    if verified:
        order = post_order(client, shop, f"W-{n}", email=email or f"buyer{n}@example.com",
                           items=[("sku-1", "Trail shoes"), ("sku-2", "Socks")])
        data["token"] = order["widget_token"]
    else:
        data["email"] = email or f"reviewer{n}@example.com"
    if photos:
        data["photo_ids"] = [upload(client, shop) for _ in range(photos)]
    environ = environ or {"REMOTE_ADDR": f"198.51.100.{n % 250 + 1}", "HTTP_USER_AGENT": "Firefox/140"}
    response = client.post(f"{shop.public}/products/{product}/reviews", json=data, environ_base=environ)
    assert response.status_code == 201, response.json
    return response.json["id"]


# --- a reviewer's own review (the confirmation e-mail's link) ------------------------------------

def edit_token(app, client, shop, review_id: str) -> str:
    """The token of the link to edit or withdraw a review, as its confirmation e-mail carries it
    (read from the outbox: the e-mail as it will be sent)."""
    import re

    from reviews_service.outbox.models import OutboxMessage

    with app.app_context():
        texts = list(db.session.scalars(select(OutboxMessage.payload).where(
            OutboxMessage.shop_id == shop.id, OutboxMessage.topic == "review_received")))
        db.session.remove()
    for payload in texts:
        token = re.search(r"/review/edit/([^\s\"'<>]+)", payload["text"]).group(1)
        if client.get(f"{shop.public}/my-review", query_string={"token": token}).json["id"] == review_id:
            return token
    raise AssertionError(f"no confirmation e-mail for review {review_id}")
