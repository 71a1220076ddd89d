"""A reviewer's data out (export) and a reviewer erased everywhere (erasure), then a search of the
whole database and the media folder for anything of theirs."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from reviews_service.cli import main
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.reviews.models import Photo, Reply, Report, Review, Vote
from tests import photo_corpus as corpus
from tests.factories import order_payload

ZED = {"email": "zebulon.quixote@privacy-test.example", "name": "Zebulon Quixote"}
BEA = {"email": "beatrix.other@privacy-test.example", "name": "Beatrix Other"}
ZED_TEXT = ["Zebulon-title-marker", "Unmistakable zebulon body text", "Second zebulon review body"]


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


@dataclass
class Person:
    email: str
    name: str
    order_id: str = ""
    widget_token: str = ""
    request_token: str = ""
    reviews: list[str] = field(default_factory=list)
    photo_urls: list[str] = field(default_factory=list)
    photo_bytes: list[bytes] = field(default_factory=list)  # what was uploaded, and what was stored


def _order(client, shop, person: Person, order_id: str, key: str) -> None:
    payload = order_payload(order_id, email=person.email,
                            items=[("sku-1", "Trail shoes"), ("sku-2", "Socks"), ("sku-3", "Cap")])
    payload["customer"]["name"] = person.name
    # The shop's backend retries safely with Idempotency-Key: the stored answer holds the customer.
    order = client.post("/api/v1/orders", json=payload, headers={**shop.headers, "Idempotency-Key": key})
    assert order.status_code == 201, order.json
    fulfilled = client.post(f"/api/v1/orders/{order_id}/events", json={"type": "fulfilled"},
                            headers={**shop.headers, "Idempotency-Key": key + "-fulfilled"}).json
    person.order_id, person.widget_token = order_id, order.json["widget_token"]
    person.request_token = fulfilled["review_request"]["url"].rsplit("/review/", 1)[1]


def _photo(client, shop, person: Person, visitor: dict, data: bytes) -> str:
    answer = client.post(f"{shop.public}/photos", content_type="multipart/form-data", environ_base=visitor,
                         data={"photo": (io.BytesIO(data), "me.jpg")}).json
    person.photo_urls += [answer["url"], answer["thumb_url"]]
    person.photo_bytes += [data] + [client.get(_path(u)).data for u in (answer["url"], answer["thumb_url"])]
    return answer["id"]


def _path(url: str) -> str:
    return "/media/" + url.split("/media/", 1)[1]


def _publish(app, public_id: str) -> None:
    with app.app_context():
        row = db.session.scalar(select(Review).where(Review.public_id == public_id))
        moderation.transition(row, "published", actor="test")
        db.session.commit()


def _make_person(app, client, shop, who: dict, tag: str, texts: list[str], photo: bytes) -> Person:
    person = Person(**who)
    visitor = {"REMOTE_ADDR": f"203.0.113.{len(tag) + 10}", "HTTP_USER_AGENT": f"{tag}-agent"}
    _order(client, shop, person, f"{tag}-ORDER-1", f"{tag}-key")
    verified = client.post(f"{shop.public}/products/sku-1/reviews", environ_base=visitor, json={
        "rating": 5, "title": texts[0], "body": texts[1], "token": person.widget_token,
        "visitor_id": f"{tag}-widget-visitor-id".ljust(22, "_"),
        "photo_ids": [_photo(client, shop, person, visitor, photo)]})
    assert verified.status_code == 201, verified.json
    # A second review without the order, with the address written differently.
    anonymous = client.post(f"{shop.public}/products/sku-3/reviews", environ_base=visitor, json={
        "rating": 2, "body": texts[2], "email": person.email.upper(), "display_name": person.name})
    assert anonymous.status_code == 201, anonymous.json
    _publish(app, anonymous.json["id"])
    person.reviews = [verified.json["id"], anonymous.json["id"]]
    return person


@pytest.fixture
def people(app, client, shop):
    """Zed and Bea, each with an order, two published reviews, a photo, and votes and reports."""
    zed = _make_person(app, client, shop, ZED, "ZED", ZED_TEXT, corpus.jpeg_with_metadata())
    bea = _make_person(app, client, shop, BEA, "BEA", ["Bea title", "Bea body about socks", "Bea cap"],
                       corpus.small_jpeg())
    for n, target in enumerate(zed.reviews + bea.reviews):
        visitor = {"REMOTE_ADDR": f"198.51.100.{n}"}
        client.post(f"{shop.public}/reviews/{target}/votes", json={"value": "up"}, environ_base=visitor)
        client.post(f"{shop.public}/reviews/{target}/reports", json={"reason": "spam", "note": "hmm"},
                    environ_base=visitor)
    # Merchants address reviewers by name (writing replies arrives with moderation; the row exists).
    with app.app_context():
        for person in (zed, bea):
            row = db.session.scalar(select(Review).where(Review.public_id == person.reviews[0]))
            db.session.add(Reply(review_id=row.id, body=f"Thank you, {person.name.split()[0]}!"))
        db.session.commit()
    return zed, bea


@pytest.fixture
def erased(client, shop, people):
    zed, bea = people
    response = client.post("/api/v1/customers/erase", json={"email": zed.email}, headers=shop.headers)
    assert response.status_code == 200, response.json
    return zed, bea, response.json


def export(client, shop, email: str):
    return client.get("/api/v1/customers/export", query_string={"email": email}, headers=shop.headers)


def public_ids(client, shop) -> set[str]:
    found = set()
    for path in ("reviews", "products/sku-1/reviews", "products/sku-3/reviews"):
        found |= {r["id"] for r in client.get(f"{shop.public}/{path}?limit=50").json["reviews"]}
    return found


# --- export -------------------------------------------------------------------------------------

def test_export_returns_the_persons_orders_and_reviews(client, shop, people):
    zed, _ = people

    data = export(client, shop, zed.email.upper()).json

    assert data["email"] == zed.email
    assert data["customer"]["name"] == zed.name
    assert [o["id"] for o in data["orders"]] == [zed.order_id]
    assert [r["id"] for r in data["reviews"]] == zed.reviews
    assert {r["body"] for r in data["reviews"]} == set(ZED_TEXT[1:])
    assert data["reviews"][0]["photos"][0]["url"] == zed.photo_urls[0]


def test_export_holds_nothing_of_another_customer(client, shop, people):
    zed, bea = people

    text = export(client, shop, zed.email).get_data(as_text=True)

    for secret in (bea.email, bea.name, bea.order_id, "Bea body", *bea.reviews):
        assert secret not in text


def test_export_of_another_shops_customer_is_404(client, other_shop, people):
    zed, _ = people

    assert export(client, other_shop, zed.email).status_code == 404


@pytest.mark.parametrize("path", ["export", "erase"])
def test_an_address_the_shop_does_not_know_is_404(client, shop, people, path):
    if path == "export":
        response = export(client, shop, "nobody@privacy-test.example")
    else:
        response = client.post("/api/v1/customers/erase", json={"email": "nobody@privacy-test.example"},
                               headers=shop.headers)

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("email", ["", "not-an-email", None])
def test_erase_needs_an_email_address(client, shop, email):
    response = client.post("/api/v1/customers/erase", json={"email": email}, headers=shop.headers)

    assert response.status_code == 422
    assert "email" in response.json["errors"]


# --- erasure ------------------------------------------------------------------------------------

def test_erasure_answers_what_it_did(erased):
    *_, answer = erased

    # Its 2-star review opened a follow-up thread in the shop's inbox: that goes too, and is counted.
    assert answer == {"erased": True, "reviews_removed": 2, "photos_deleted": 1, "orders_anonymised": 1,
                      "private_threads": 1}


def test_erased_reviews_are_removed_and_gone_from_public_lists(client, shop, erased):
    zed, bea, _ = erased

    for review in zed.reviews:
        stored = client.get(f"/api/v1/reviews/{review}", headers=shop.headers).json
        assert (stored["status"], stored["email"], stored["body"], stored["author_name"]) == (
            "removed", None, "", "")
    assert public_ids(client, shop) == set(bea.reviews)


def test_aggregates_equal_a_recount_after_erasure(app, runner, erased):
    result = runner.invoke(main, ["check"])

    assert result.exit_code == 0, result.output
    assert "match" in result.output


def test_erased_photos_are_deleted_from_storage(client, erased):
    zed, bea, _ = erased

    assert [client.get(_path(url)).status_code for url in zed.photo_urls] == [404, 404]
    assert [client.get(_path(url)).status_code for url in bea.photo_urls] == [200, 200]


@pytest.mark.parametrize("kind", ["widget_token", "request_token"])
def test_the_persons_tokens_stop_working(client, shop, erased, kind):
    zed, *_ = erased
    token = getattr(zed, kind)

    shown = client.get(f"{shop.public}/review-requests/{token}")
    posted = client.post(f"{shop.public}/products/sku-2/reviews", json={"rating": 5, "token": token})

    assert (shown.status_code, posted.status_code) == (403, 403)


def test_votes_reports_and_ip_hashes_of_erased_reviews_are_dropped(app, erased):
    zed, bea, _ = erased

    with app.app_context():
        rows = {r.public_id: r for r in db.session.scalars(select(Review))}
        for public_id in zed.reviews:
            row = rows[public_id]
            assert (row.ip_hash, row.visitor_hash, row.visitor_id_hash) == (None, None, None)
            assert not db.session.scalars(select(Vote).where(Vote.review_id == row.id)).all()
            assert not db.session.scalars(select(Report).where(Report.review_id == row.id)).all()
            assert not db.session.scalars(select(Photo).where(Photo.review_id == row.id)).all()
        for public_id in bea.reviews:
            row = rows[public_id]
            assert row.ip_hash and row.visitor_hash
            assert row.visitor_id_hash or row.order_id is None  # the verified one was sent with an id
            assert db.session.scalars(select(Vote).where(Vote.review_id == row.id)).all()


def _database_text(app) -> list[tuple[str, str, str]]:
    """Every non-null value of every column of every table, as lower-case text."""
    found = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is not None:
                        found.append((table.name, column, str(value).lower()))
    return found


def test_nothing_of_the_person_is_left_in_the_database(app, erased):
    zed, *_ = erased
    needles = [zed.email, *zed.name.lower().split(), *(t.lower() for t in ZED_TEXT)]

    leaks = [(table, column, needle) for table, column, text in _database_text(app)
             for needle in needles if needle.lower() in text]

    assert leaks == []


def test_the_scan_would_find_the_person_before_the_erasure(app, people):
    zed, _ = people

    tables = {table for table, _, text in _database_text(app) if zed.email in text or "zebulon" in text}

    assert {"customers", "reviews", "replies", "idempotency_keys"} <= tables


def test_nothing_of_the_person_is_left_in_the_media_folder(app, erased):
    zed, bea, _ = erased
    files = [p.read_bytes() for p in Path(app.config["MEDIA_ROOT"]).rglob("*") if p.is_file()]

    assert len(files) == 2  # Bea's display image and thumbnail
    for data in zed.photo_bytes:
        assert data not in files


def test_other_customers_are_untouched(client, shop, erased):
    zed, bea, _ = erased

    data = export(client, shop, bea.email).json
    assert data["customer"]["name"] == bea.name
    assert [r["id"] for r in data["reviews"]] == bea.reviews
    assert {r["status"] for r in data["reviews"]} == {"published"}
    assert data["reviews"][0]["reply"]["body"] == "Thank you, Beatrix!"
    assert client.get(f"{shop.public}/review-requests/{bea.request_token}").status_code == 200
    posted = client.post(f"{shop.public}/products/sku-2/reviews",
                         json={"rating": 4, "token": bea.widget_token})
    assert posted.status_code == 201, posted.json


def test_the_same_address_in_another_shop_is_untouched(client, shop, other_shop, people):
    zed, _ = people
    payload = order_payload("ELSEWHERE-1", email=zed.email)
    assert client.post("/api/v1/orders", json=payload, headers=other_shop.headers).status_code == 201

    client.post("/api/v1/customers/erase", json={"email": zed.email}, headers=shop.headers)

    assert export(client, other_shop, zed.email).json["orders"][0]["id"] == "ELSEWHERE-1"


def test_a_second_erasure_finds_nothing_left(client, shop, erased):
    zed, *_ = erased

    response = client.post("/api/v1/customers/erase", json={"email": zed.email}, headers=shop.headers)

    assert response.status_code == 404
    assert export(client, shop, zed.email).status_code == 404


def test_an_erased_person_may_come_back_as_a_new_customer(client, shop, erased):
    zed, *_ = erased
    payload = order_payload("ZED-ORDER-2", email=zed.email)
    order = client.post("/api/v1/orders", json=payload, headers=shop.headers).json

    posted = client.post(f"{shop.public}/products/sku-1/reviews",
                         json={"rating": 4, "token": order["widget_token"]})

    assert posted.status_code == 201, posted.json
    assert [o["id"] for o in export(client, shop, zed.email).json["orders"]] == ["ZED-ORDER-2"]


# --- erasure as an event: every room erases its own part, in the erasure's transaction -----------

def _what_is_held(app, client, shop, person: Person) -> dict:
    """What the shop holds of the person, room by room, as the API and the tables show it."""
    with app.app_context():
        rows = [db.session.scalar(select(Review).where(Review.public_id == p)) for p in person.reviews]
        held = {
            "reviews": [(r.status, r.email, r.body, r.author_name, r.ip_hash is None, r.photo_count)
                        for r in rows],
            "replies": len(db.session.scalars(select(Reply).where(Reply.review_id.in_([r.id for r in rows]))).all()),
            "votes": len(db.session.scalars(select(Vote).where(Vote.review_id.in_([r.id for r in rows]))).all()),
            "texts": sum(1 for _, _, text in _database_text(app) if person.email in text),
        }
    held["export"] = export(client, shop, person.email).status_code
    held["photos"] = [client.get(_path(url)).status_code for url in person.photo_urls]
    return held


def test_a_failing_receiver_of_an_erasure_erases_nothing(app, client, shop, people):
    from reviews_service import events
    from tests.helpers import assert_problem, row_counts
    from tests.signals import connected, fail

    zed, _ = people
    before, counts = _what_is_held(app, client, shop, zed), row_counts(app)
    exported = export(client, shop, zed.email).json

    with connected(events.customer_erased, fail):  # after every room's receiver has done its part
        response = client.post("/api/v1/customers/erase", json={"email": zed.email}, headers=shop.headers)

    assert_problem(response, 500)
    assert _what_is_held(app, client, shop, zed) == before
    assert row_counts(app) == counts
    assert export(client, shop, zed.email).json == exported
    assert before["photos"] == [200, 200] and before["export"] == 200


def test_an_erasure_does_not_depend_on_the_receivers_order(app, client, shop, people):
    from reviews_service import events
    from tests.signals import in_reverse

    zed, bea = people
    zed_answer = client.post("/api/v1/customers/erase", json={"email": zed.email}, headers=shop.headers).json
    with in_reverse(events.customer_erased):
        bea_answer = client.post("/api/v1/customers/erase", json={"email": bea.email}, headers=shop.headers).json

    assert bea_answer == zed_answer
    assert _what_is_held(app, client, shop, bea) == _what_is_held(app, client, shop, zed)
    assert _what_is_held(app, client, shop, zed)["texts"] == 0


def test_the_export_does_not_depend_on_the_receivers_order(client, shop, people):
    from reviews_service import events
    from tests.signals import connected, in_reverse

    zed, _ = people
    first = export(client, shop, zed.email).json
    # A second receiver of the export (a future room's), so that there is an order to reverse.
    with connected(events.customer_export_requested, lambda shop, **_: None), \
            in_reverse(events.customer_export_requested):
        again = export(client, shop, zed.email).json
    assert again == first
