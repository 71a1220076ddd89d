"""An erasure leaves no trace of the person in the database, whatever table holds it.

One person is given everything the shop can hold about someone, through the public surface: orders
(one through a friend's referral code, the e-mails asking for reviews and inviting to share), a
referral code that brought a friend and earned a reward, reviews (one with a photo, then edited by
them with the edit held for a moderator; one anonymous, with the address in capitals), votes and
reports on them, the shop's public reply, a review incentive, loyalty points, private feedback and
the shop's private reply, a survey answer with a comment, alerts to the shop's members, webhooks
about all of it, the backend's stored idempotent answers, and a platform's delivery waiting for an
order. After the erasure every column of every table of the live database (reflected, so a table
added later is scanned without editing this test) is searched for the address in any case and for
the person's names, on SQLite and on PostgreSQL; and so is every published file (publishing on).
"""

from __future__ import annotations

import gzip
import json
import re
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import brotli
import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.exc import SAWarning

from reviews_service import clock
from reviews_service.extensions import db
from reviews_service.outbox.jobs import jobs
from reviews_service.outbox.worker import Worker
from tests.admin.conftest import admin_for, csrf_token
from tests.connectors.conftest import connect, fixture, shopify
from tests.factories import make_shop, order_payload
from tests.helpers import set_settings, upload
from tests.outbox.conftest import add_endpoint, outbox

EMAIL = "Zebulon.Quixote@Scan-Test.example"
GIVEN, FAMILY = "Zebulon", "Quixote"
NEEDLES = (EMAIL.lower(), GIVEN.lower(), FAMILY.lower(), f"{GIVEN} {FAMILY}".lower())
ORIGIN = "https://scan-shop.example"
PROGRAM = {"enabled": True, "hold_days": 30, "invitation_enabled": True, "invitation_delay_days": 2,
           "email_friend_offer": True,
           "friend_offer": {"description": "10% off", "kind": "percent", "value": "10",
                            "code_mode": "shared", "shared_code": "FRIEND10"},
           "referrer_reward": {"description": "10 EUR off", "kind": "amount", "value": "10",
                               "currency": "EUR", "source": "pool"},
           "share_url_template": "https://scan-shop.example/?ref={code}"}
INCENTIVES = {"enabled": True, "source": "pool",
              "for_review": {"offered": True, "kind": "percent", "value": "10"},
              "for_photo": {"offered": True, "kind": "amount", "value": "5", "currency": "EUR"}}
# Tables where the world below must put the person, so that a scan finding nothing means something.
EXPECTED_BEFORE = {"customers", "reviews", "replies", "private_feedback", "survey_answers", "referral_codes",
                   "outbox", "idempotency_keys", "problem_alerts", "connector_deliveries", "feedback_threads",
                   "private_replies", "review_revisions"}


@pytest.fixture
def app_config():
    # Publishing on (to instance/published): the published files are scanned too.
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute", "PROBLEM_ALERT_MINUTES": 0, "DIGEST_HOUR": 0,
            "PUBLISH_STORAGE": "local"}


@dataclass
class World:
    app: object
    client: object
    shop: object
    reviews: list[str]


def _post(client, path: str, body: dict, shop, key: str | None = None, status: int = 201) -> dict:
    headers = {**shop.headers, **({"Idempotency-Key": key} if key else {})}
    answer = client.post(path, json=body, headers=headers)
    assert answer.status_code == status, answer.get_data(as_text=True)
    return answer.get_json()


def _order(client, shop, order_id: str, email: str, name: str, items, *, key: str | None = None,
           **extra) -> dict:
    body = order_payload(order_id, email=email, items=items, **extra)
    body["customer"].update(name=name, accepts_marketing=True)
    if name == f"{GIVEN} {FAMILY}":
        body["customer"].update(given_name=GIVEN, family_name=FAMILY)
    return _post(client, "/api/v1/orders", body, shop, key)


def _event(client, shop, order_id: str, kind: str, key: str | None = None) -> dict:
    return _post(client, f"/api/v1/orders/{order_id}/events", {"type": kind}, shop, key, status=200)


def _panel_code(client, shop, order: dict, ip: str) -> str:
    answer = client.get(f"{shop.public}/referrals/me", query_string={"token": order["widget_token"]},
                        environ_base={"REMOTE_ADDR": ip}, headers={"Origin": ORIGIN})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["code"]


def _run_jobs(app) -> None:
    """What the worker queues each round (review requests, invitations, alerts, the digest, the
    referrals' decisions), without delivering anything."""
    with app.app_context():
        for _, job in jobs():
            job()
        db.session.commit()


def _shop_with_everything_on(app, client):
    shop = make_shop(app, "Scan Shop", origins=[ORIGIN])
    set_settings(client, shop, referrals=PROGRAM, incentives=INCENTIVES, survey_enabled=True,
                 review_request_delay_days=0, support_email="help@scan-shop.example",
                 loyalty={"enabled": True, "for_review": 50, "for_referral": 100})
    add_endpoint(client, shop, "https://hooks.scan-shop.example/reviews", ["*"])
    for kind, codes in (("referrer_reward", ["RR-1", "RR-2"]), ("review_incentive", ["RV-1", "RV-2"])):
        _post(client, "/api/v1/coupons", {"kind": kind, "codes": codes}, shop)
    member = admin_for(app, shop, "owner", "owner@scan-shop.example")
    page = member.get("/admin/account").get_data(as_text=True)
    member.client.post("/admin/account/alerts", data={"csrf_token": csrf_token(page), "problem_alerts": "y"})
    connect(client, shop, "shopify", "scan-shop.myshopify.com")
    return shop


def _reviews(app, client, shop, order: dict) -> list[str]:
    """A verified review with a photo and a private message, then an anonymous one in capitals."""
    visitor = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "zed-agent", "HTTP_ORIGIN": ORIGIN}
    photo = upload(client, shop, environ_base=visitor)
    verified = client.post(f"{shop.public}/products/sku-1/reviews", environ_base=visitor, json={
        "rating": 2, "title": f"{GIVEN}'s boots", "body": f"Too narrow for me. {GIVEN} {FAMILY}",
        "token": order["widget_token"], "photo_ids": [photo], "display_name": f"{GIVEN} {FAMILY}",
        "private_message": f"Could you call me back? {GIVEN}"})
    anonymous = client.post(f"{shop.public}/products/sku-3/reviews", environ_base=visitor, json={
        "rating": 4, "body": f"Nice cap, says {FAMILY}.", "email": EMAIL.upper(),
        "display_name": f"{GIVEN} {FAMILY}"})
    assert (verified.status_code, anonymous.status_code) == (201, 201)
    first, second = verified.get_json()["id"], anonymous.get_json()["id"]
    _post(client, f"/api/v1/reviews/{first}/reply", {"body": f"Sorry, {GIVEN}! We will call you."}, shop,
          key="reply-1", status=200)
    for n in range(2):
        other = {"REMOTE_ADDR": f"198.51.100.{n + 1}", "HTTP_ORIGIN": ORIGIN}
        client.post(f"{shop.public}/reviews/{first}/votes", json={"value": "up"}, environ_base=other)
        client.post(f"{shop.public}/reviews/{first}/reports", json={"reason": "other", "note": GIVEN},
                    environ_base=other)
    _edit(client, app, "Boots")
    return [first, second]


def _edit(client, app, product: str) -> None:
    """The reviewer edits their review from the confirmation e-mail's link; the edit carries a link,
    so a rule holds it as a pending revision beside the published version."""
    [text] = [m.payload["text"] for m in outbox(app, topic="review_received")
              if product in m.payload["subject"]]
    link = re.search(r"/review/edit/[^\s\"'<>]+", text).group(0)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(as_text=True)).group(1)
    saved = client.post(link, data={"csrf_token": csrf, "rating": "4", "title": f"{GIVEN} again",
                                    "body": f"Better now, see https://zq.example/{FAMILY}. {GIVEN} {FAMILY}"})
    assert saved.status_code == 303, saved.get_data(as_text=True)


def build(app) -> World:
    """The person (and two others around them) with everything, through the public surface."""
    client = app.test_client()
    shop = _shop_with_everything_on(app, client)
    carl = _order(client, shop, "CARL-1", "carl@scan-test.example", "Carl Referrer", [("sku-1", "Boots")])
    carl_code = _panel_code(client, shop, carl, "192.0.2.1")
    items = [("sku-1", "Boots"), ("sku-2", "Socks"), ("sku-3", "Cap")]
    first = _order(client, shop, "ZED-1", EMAIL, f"{GIVEN} {FAMILY}", items, key="zed-1",
                   referral_code=carl_code)
    _event(client, shop, "ZED-1", "fulfilled", key="zed-1-fulfilled")
    _event(client, shop, "ZED-1", "delivered", key="zed-1-delivered")
    reviews = _reviews(app, client, shop, first)
    _run_jobs(app)  # the moderators' digest lists the pending one; the alert about the low one goes alone
    _post(client, f"/api/v1/reviews/{reviews[1]}/decision",
          {"decision": "approve", "note": f"{GIVEN} confirmed by phone"}, shop, key="decision-1", status=200)
    zed_code = _panel_code(client, shop, first, "203.0.113.7")
    client.post(f"{shop.public}/referrals/clicks", json={"code": zed_code}, headers={"Origin": ORIGIN},
                environ_base={"REMOTE_ADDR": "192.0.2.9"})
    client.post(f"{shop.public}/referrals/offer-email", headers={"Origin": ORIGIN},
                json={"code": zed_code, "email": "dan@scan-test.example"},
                environ_base={"REMOTE_ADDR": "192.0.2.10"})
    bea = _order(client, shop, "BEA-1", "bea@scan-test.example", "Bea Friend", [("sku-2", "Socks")],
                 key="bea-1", referral_code=zed_code)
    # The friend's review hands the code over again, as the widget does.
    handed_over = client.post(f"{shop.public}/products/sku-2/reviews", headers={"Origin": ORIGIN}, json={
        "rating": 5, "body": "Warm socks.", "token": bea["widget_token"], "referral_code": zed_code})
    assert handed_over.status_code == 201
    second = _event(client, shop, _order(client, shop, "ZED-2", EMAIL.upper(), f"{GIVEN} {FAMILY}",
                                         [("sku-2", "Socks")], key="zed-2")["id"], "fulfilled")
    request_token = second["review_request"]["url"].rsplit("/review/", 1)[1]
    _post(client, f"{shop.public}/feedback", {"token": request_token, "message": f"Late parcel. {GIVEN}"},
          shop)
    # The shop answers that message privately, by e-mail (its backend retries safely).
    [alone] = [f for f in client.get("/api/v1/feedback", headers=shop.headers).get_json()["feedback"]
               if f["review_id"] is None]
    _post(client, f"/api/v1/feedback/{alone['id']}/replies", {"body": f"Dear {GIVEN}, we are sorry."}, shop,
          key="private-reply-1")
    _post(client, f"{shop.public}/survey", {"token": request_token, "score": 3,
                                            "comment": f"Ask for {GIVEN} {FAMILY}"}, shop, status=200)
    # A platform's delivery about an order of theirs that has not arrived: kept, waiting for it.
    waiting = {**fixture("shopify/orders_fulfilled.json"), "id": 990011, "email": EMAIL}
    delivered = shopify(client, shop, "orders/fulfilled", waiting, domain="scan-shop.myshopify.com")
    assert delivered.get_json()["status"] == "waiting"
    _run_jobs(app)  # the review requests, the alerts, the digest
    clock.travel(timedelta(days=31))
    _run_jobs(app)  # the referrals' hold passed: rewards; the invitation to share is due
    return World(app, client, shop, reviews)


def scan(app) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every value of every table of the live database that holds the
    address (any case) or a name of the person. JSON is also read decoded, so an escaped character
    hides nothing."""
    found = []
    with app.app_context():
        live = MetaData()
        with warnings.catch_warnings():  # expression indexes: the columns are what matters here
            warnings.simplefilter("ignore", SAWarning)
            live.reflect(bind=db.engine)
        assert {t.name for t in db.metadata.sorted_tables} <= set(live.tables)
        for table in live.sorted_tables:
            for row in db.session.execute(select(table)).mappings():
                for column, value in row.items():
                    for needle in _needles_in(value):
                        found.append((table.name, column, needle))
        db.session.remove()
    return sorted(set(found))


def scan_published(app) -> list[tuple[str, str]]:
    """(file, needle) for every published file (its `.gz` and `.br` decompressed) that names the
    person, once the worker has run the tasks the changes queued."""
    with app.app_context():
        Worker().drain(("task",))
        db.session.remove()
    found = []
    for path in Path(app.config["PUBLISH_ROOT"]).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            data = {".gz": gzip.decompress, ".br": brotli.decompress}.get(path.suffix, bytes)(data)
            found += [(path.name, needle) for needle in _needles_in(data)]
    return sorted(set(found))


def _needles_in(value) -> list[str]:
    if value is None or isinstance(value, (int, float)):
        return []
    if isinstance(value, (bytes, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    texts = [value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)]
    try:
        texts.append(json.dumps(json.loads(texts[0]), ensure_ascii=False))
    except (ValueError, TypeError):
        pass
    lowered = " ".join(texts).lower()
    return [needle for needle in NEEDLES if needle in lowered]


@pytest.fixture
def world(each_db_app) -> World:
    return build(each_db_app)


def test_the_world_puts_the_person_in_every_room_before_the_erasure(world):
    tables = {table for table, _, _ in scan(world.app)}

    assert EXPECTED_BEFORE <= tables, EXPECTED_BEFORE - tables
    assert ("reviews.json", GIVEN.lower()) in scan_published(world.app)


def test_after_the_erasure_no_table_holds_the_address_or_a_name(world):
    answer = _post(world.client, "/api/v1/customers/erase", {"email": EMAIL.lower()}, world.shop, status=200)

    assert answer["erased"] is True and answer["reviews_removed"] == 2
    assert (answer["referral_code_disabled"], answer["referrals_anonymised"], answer["platform_deliveries"],
            answer["survey_answers"], answer["private_feedback"]) == (1, 2, 1, 1, 2)
    leaks = scan(world.app) + scan_published(world.app)
    assert leaks == [], "\n".join(map(str, leaks))


def _export(world):
    return world.client.get("/api/v1/customers/export", query_string={"email": EMAIL},
                            headers=world.shop.headers)


def test_the_export_holds_everything_the_shop_holds_about_them(app):
    world = build(app)

    answer = _export(world)

    data = answer.get_json()
    assert answer.status_code == 200, data
    assert data["customer"]["accepts_marketing"] is True
    assert [o["id"] for o in data["orders"]] == ["ZED-1", "ZED-2"]
    assert [r["id"] for r in data["reviews"]] == world.reviews
    assert data["referral_code"]["code"].startswith("ZEBULON-")
    assert data["referral_code"]["disabled_at"] is None
    assert [(r["role"], r["status"], r["order_id"]) for r in data["referrals"]] == [
        ("friend", "approved", "ZED-1"), ("referrer", "approved", None)]
    made = data["referrals"][1]["id"]
    assert [(r["code"], r["referral_id"]) for r in data["referral_rewards"]] == [("RR-2", made)]
    assert [(i["order_id"], i["status"]) for i in data["referral_invitations"]] == [("ZED-1", "sent")]
    assert {(i["review_id"], i["offer"], i["code"]) for i in data["review_incentives"]} == {
        (world.reviews[0], "photo", "RV-1"), (world.reviews[1], "review", "RV-2")}
    assert sorted(f["message"] for f in data["private_feedback"]) == [
        f"Could you call me back? {GIVEN}", f"Late parcel. {GIVEN}"]
    assert [(a["score"], a["comment"]) for a in data["survey_answers"]] == [(3, f"Ask for {GIVEN} {FAMILY}")]
    assert [r["body"] for r in data["private_replies"]] == [f"Dear {GIVEN}, we are sorry."]
    assert data["loyalty"]["ledger"]  # points for their orders, reviews and the friend they brought
    text = answer.get_data(as_text=True)
    for other in ("carl@scan-test.example", "Carl Referrer", "bea@scan-test.example", "Bea Friend", "dan@"):
        assert other not in text


def test_after_the_erasure_the_export_finds_nothing(app):
    world = build(app)
    _post(world.client, "/api/v1/customers/erase", {"email": EMAIL}, world.shop, status=200)

    assert _export(world).status_code == 404
