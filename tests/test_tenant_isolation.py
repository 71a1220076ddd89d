"""Tenant isolation: shop A's secret key only ever reads and changes shop A's rows.

Both shops hold a product, an order, a customer and a review under the same ids; shop B also has
some of its own. Every server API route gets called with A's key and those ids: the answer shows
A's data (or 404 for what only B has), and B's rows are exactly as they were.

The matrix is checked against the app's URL map: a new /api/v1 route without an entry here fails
`test_every_server_route_is_in_the_matrix` until its isolation is tested.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from sqlalchemy import select

from reviews_service import create_app
from reviews_service.extensions import db

from .conftest import base_config
from .factories import make_shop, order_payload
from .helpers import assert_problem, edit_token

SHARED_PRODUCT = "shoes/ü 42"
SHARED_ORDER = "#1001"
SHARED_EMAIL = "same.buyer@example.com"
B_PRODUCT = "only-in-b"
B_ORDER = "B-ONLY-7"
B_EMAIL = "only.b@example.com"
A_HOOK = "https://a.example/hooks/reviews"
B_HOOK = "https://b.example/hooks/reviews"


@dataclass
class World:
    a: object
    b: object
    ids: dict[str, str]  # review ids "a", "b", "b-only"; webhook endpoint ids "hook-a", "hook-b"; ...


def _p(product_id: str) -> str:
    return quote(product_id, safe="")


def _populate(client, shop, label: str, *, product: str, order: str, email: str) -> str:
    """A product, an order for it and a verified review, through the API; answers the review id."""
    client.put(f"/api/v1/products/{_p(product)}", json={"name": f"{label} shoes"}, headers=shop.headers)
    body = order_payload(order, email=email, items=[(product, f"{label} shoes")])
    body["customer"]["name"] = f"{label} Buyer"
    answer = client.post("/api/v1/orders", json=body, headers=shop.headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    review = client.post(f"{shop.public}/products/{_p(product)}/reviews", headers={},
                         json={"rating": 4, "body": f"Review in {label}", "private_message": f"Private in {label}",
                               "token": answer.get_json()["widget_token"]})
    assert review.status_code == 201, review.get_data(as_text=True)
    return review.get_json()["id"]


def _webhook(client, shop, url: str) -> str:
    answer = client.post("/api/v1/webhooks", json={"url": url, "events": ["*"]}, headers=shop.headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return answer.get_json()["id"]


def _referral(client, shop, label: str) -> str:
    """The shared order's buyer refers a friend, and the shop loads a coupon; answers the referral id."""
    token = client.get(f"/api/v1/orders/{_p(SHARED_ORDER)}", headers=shop.headers).get_json()["widget_token"]
    code = client.get(f"{shop.public}/referrals/me", query_string={"token": token}).get_json()["code"]
    body = order_payload(f"{label}-REFERRED", email=f"friend.{label.lower()}@example.com",
                         items=[(SHARED_PRODUCT, f"{label} shoes")], referral_code=code)
    assert client.post("/api/v1/orders", json=body, headers=shop.headers).status_code == 201
    client.post("/api/v1/coupons", json={"kind": "referrer_reward", "codes": [f"{label}-COUPON"]},
                headers=shop.headers)
    return client.get("/api/v1/referrals", headers=shop.headers).get_json()["referrals"][0]["id"]


def _survey(client, shop) -> None:
    """The shop asks its survey question; its order only in B is fulfilled and its buyer answers."""
    client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"survey_enabled": True}})
    order = client.post(f"/api/v1/orders/{_p(B_ORDER)}/events", json={"type": "fulfilled"}, headers=shop.headers)
    token = order.get_json()["review_request"]["url"].rsplit("/review/", 1)[1]
    answer = client.post(f"{shop.public}/survey", json={"token": token, "score": 2})
    assert answer.status_code == 200, answer.get_data(as_text=True)


def _loyalty(client, shop, label: str, rewards: list[str]) -> None:
    """The loyalty programme on, points spendable at once; a reward per id, one code each."""
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"loyalty": {
        "enabled": True, "hold_days": 0, "for_review": 5, "for_account_created": 3,
        "rewards": [{"id": r, "points": 10, "kind": "free_shipping"} for r in rewards]}}})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    for reward in rewards:
        client.post(f"/api/v1/loyalty/rewards/{reward}/coupons", json={"codes": [f"{label}-{reward}-1"]},
                    headers=shop.headers)


def _customers(client, shop, label: str) -> dict[str, str]:
    """The service's customer ids of the shared order's buyer ("cust-a") and, in B, of the order
    only B has ("cust-b-only")."""
    ids = {f"cust-{label}": client.get(f"/api/v1/orders/{_p(SHARED_ORDER)}", headers=shop.headers)
           .get_json()["customer_id"]}
    if label == "b":
        ids["cust-b-only"] = client.get(f"/api/v1/orders/{B_ORDER}", headers=shop.headers).get_json()["customer_id"]
    return {key: str(value) for key, value in ids.items()}


def _build_world(app) -> World:
    client = app.test_client()
    a = make_shop(app, "Shop A", origins=["https://shop-a.example"])
    b = make_shop(app, "Shop B", origins=["https://shop-b.example"])
    for shop in (a, b):  # the referral program on: each buyer gets a code
        client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"referrals": {
            "enabled": True, "friend_offer": {"shared_code": "FRIEND10"}}}})
    _loyalty(client, a, "A", ["five-off"])
    _loyalty(client, b, "B", ["five-off", "b-only"])
    ids = {"hook-a": _webhook(client, a, A_HOOK), "hook-b": _webhook(client, b, B_HOOK)}
    ids["a"] = _populate(client, a, "A", product=SHARED_PRODUCT, order=SHARED_ORDER, email=SHARED_EMAIL)
    ids["b"] = _populate(client, b, "B", product=SHARED_PRODUCT, order=SHARED_ORDER, email=SHARED_EMAIL)
    ids["b-only"] = _populate(client, b, "B", product=B_PRODUCT, order=B_ORDER, email=B_EMAIL)
    ids["ref-a"], ids["ref-b"] = _referral(client, a, "A"), _referral(client, b, "B")
    _survey(client, b)
    answer = client.put("/api/v1/connections/shopify", headers=b.headers,
                        json={"domain": "b-store.myshopify.com", "secret": "b-secret"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    for shop, review in ((a, ids["a"]), (b, ids["b"])):  # each reviewer's edit, held by the link rule
        answer = client.put(f"{shop.public}/my-review", json={
            "token": edit_token(app, client, shop, review), "rating": 2, "body": "See www.edit.example"})
        assert answer.get_json()["outcome"] == "pending", answer.get_data(as_text=True)
    for shop, review in ((a, ids["a"]), (b, ids["b"]), (b, ids["b-only"])):
        answer = client.post(f"/api/v1/reviews/{review}/reply", json={"body": "Thank you"}, headers=shop.headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
    ids.update(_private_threads(client, a, "a") | _private_threads(client, b, "b"))
    ids.update(_customers(client, a, "a") | _customers(client, b, "b"))
    return World(a, b, ids)


def _private_threads(client, shop, label: str) -> dict[str, str]:
    """The shop answers privately (its support address set): the ids of its first private feedback
    ("fb-a") and of that feedback's thread ("thr-a")."""
    client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"support_email": f"help@{label}.example"}})
    feedback = client.get("/api/v1/feedback", headers=shop.headers).get_json()["feedback"][0]["id"]
    answer = client.post(f"/api/v1/feedback/{feedback}/replies", json={"body": "Answered privately"},
                         headers=shop.headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return {f"fb-{label}": feedback, f"thr-{label}": answer.get_json()["id"]}


@pytest.fixture(scope="module")
def world_template(tmp_path_factory, sqlite_template):
    """The two shops, built once through the API into a database file that each test copies."""
    folder = tmp_path_factory.mktemp("world")
    path = folder / "world.db"
    shutil.copy(sqlite_template, path)
    app = create_app(base_config(folder, DATABASE_URL=f"sqlite:///{path}"))
    world = _build_world(app)
    with app.app_context():
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    return path, world


@pytest.fixture
def world_app(tmp_path, world_template):
    path, world = world_template
    shutil.copy(path, tmp_path / "world.db")
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'world.db'}"))
    yield app, world
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rows_of_shop(app, shop_id: int) -> dict[str, list[tuple]]:
    """Every row that belongs to the shop: rows with its shop_id, and rows that hang off those
    through foreign keys (order items, events, ...), found from the schema, not listed by hand."""
    owned: dict[str, set] = {}
    rows: dict[str, list[tuple]] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            if table.name == "shops":
                condition = table.c.id == shop_id
            elif "shop_id" in table.c:
                condition = table.c.shop_id == shop_id
            else:
                parents = [(fk.parent, owned[fk.column.table.name]) for fk in table.foreign_keys
                           if fk.column.table.name in owned]
                if not parents:
                    continue
                condition = parents[0][0].in_(parents[0][1])
                for column, ids in parents[1:]:
                    condition = condition | column.in_(ids)
            found = db.session.execute(select(table).where(condition)).all()
            rows[table.name] = sorted(tuple(map(repr, r)) for r in found)
            if "id" in table.c:
                owned[table.name] = {r._mapping["id"] for r in found}
        db.session.remove()
    return rows


# --- the matrix ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    body: dict | None = None
    status: int = 200
    shows: Callable[[object, World], bool] | None = None  # what A's answer must show


def _names_a(answer, _world):
    return answer.json["name"] == "A shoes"


def _review_ids(answer) -> list[str]:
    return [review["id"] for review in answer.json["reviews"]]


MATRIX: dict[tuple[str, str], list[Case]] = {
    ("GET", "/api/v1/shop"): [
        Case("own shop", "GET", "/api/v1/shop",
             shows=lambda r, w: (r.json["name"], r.json["public_key"]) == ("Shop A", w.a.public_key)),
    ],
    ("PATCH", "/api/v1/shop"): [
        Case("rename own shop", "PATCH", "/api/v1/shop", {"name": "Shop A renamed"},
             shows=lambda r, w: r.json["public_key"] == w.a.public_key),
    ],
    ("GET", "/api/v1/products/<path:product_id>"): [
        Case("shared product id", "GET", f"/api/v1/products/{_p(SHARED_PRODUCT)}", shows=_names_a),
        Case("product only in B", "GET", f"/api/v1/products/{B_PRODUCT}", status=404),
    ],
    ("PUT", "/api/v1/products/<path:product_id>"): [
        Case("shared product id", "PUT", f"/api/v1/products/{_p(SHARED_PRODUCT)}", {"name": "A renamed"},
             shows=lambda r, w: r.json["name"] == "A renamed"),
        Case("product only in B is created in A", "PUT", f"/api/v1/products/{B_PRODUCT}",
             {"name": "A's own"}, status=201),
    ],
    ("POST", "/api/v1/orders"): [
        Case("shared order id", "POST", "/api/v1/orders", order_payload(SHARED_ORDER, email=B_EMAIL),
             shows=lambda r, w: r.json["customer"]["name"] == "A Buyer"),
        Case("order only in B is created in A", "POST", "/api/v1/orders",
             order_payload(B_ORDER, email=B_EMAIL, items=[(B_PRODUCT, "A's item")]), status=201,
             shows=lambda r, w: r.json["customer"]["name"] == "Ana Buyer"),
    ],
    ("GET", "/api/v1/orders/<path:order_id>"): [
        Case("shared order id", "GET", f"/api/v1/orders/{_p(SHARED_ORDER)}",
             shows=lambda r, w: r.json["customer"]["name"] == "A Buyer"),
        Case("order only in B", "GET", f"/api/v1/orders/{B_ORDER}", status=404),
    ],
    ("POST", "/api/v1/orders/<path:order_id>/events"): [
        Case("shared order id", "POST", f"/api/v1/orders/{_p(SHARED_ORDER)}/events", {"type": "refunded"},
             shows=lambda r, w: (r.json["status"], r.json["customer"]["name"]) == ("refunded", "A Buyer")),
        Case("order only in B", "POST", f"/api/v1/orders/{B_ORDER}/events", {"type": "refunded"}, status=404),
    ],
    ("GET", "/api/v1/reviews"): [
        Case("list", "GET", "/api/v1/reviews", shows=lambda r, w: _review_ids(r) == [w.ids["a"]]),
        Case("filtered by shared product", "GET", f"/api/v1/reviews?product_id={_p(SHARED_PRODUCT)}",
             shows=lambda r, w: _review_ids(r) == [w.ids["a"]]),
        Case("filtered by product only in B", "GET", f"/api/v1/reviews?product_id={B_PRODUCT}", status=404),
    ],
    ("GET", "/api/v1/reviews/<review_id>"): [
        Case("own review", "GET", "/api/v1/reviews/{a}", shows=lambda r, w: r.json["body"] == "Review in A"),
        Case("review of the shared product only in B", "GET", "/api/v1/reviews/{b}", status=404),
        Case("review of a product only in B", "GET", "/api/v1/reviews/{b-only}", status=404),
    ],
    ("GET", "/api/v1/customers/export"): [
        Case("shared e-mail", "GET", f"/api/v1/customers/export?email={SHARED_EMAIL}",
             shows=lambda r, w: ([o["customer"]["name"] for o in r.json["orders"]], _review_ids(r))
             == (["A Buyer"], [w.ids["a"]])),
        Case("e-mail only in B", "GET", f"/api/v1/customers/export?email={B_EMAIL}", status=404),
    ],
    ("POST", "/api/v1/customers/erase"): [
        Case("shared e-mail", "POST", "/api/v1/customers/erase", {"email": SHARED_EMAIL},
             shows=lambda r, w: r.json["reviews_removed"] == 1),
        Case("e-mail only in B", "POST", "/api/v1/customers/erase", {"email": B_EMAIL}, status=404),
    ],
    ("GET", "/api/v1/feeds/google-product-reviews.xml"): [
        Case("feed", "GET", "/api/v1/feeds/google-product-reviews.xml",
             shows=lambda r, w: "Review in A" in r.get_data(as_text=True)
             and "Review in B" not in r.get_data(as_text=True)),
    ],
    ("GET", "/api/v1/reviews/export"): [
        Case("csv", "GET", "/api/v1/reviews/export?format=csv",
             shows=lambda r, w: w.ids["a"] in r.get_data(as_text=True)
             and not {w.ids["b"], w.ids["b-only"]} & set(r.get_data(as_text=True).split(","))),
        Case("json", "GET", "/api/v1/reviews/export?format=json",
             shows=lambda r, w: [x["id"] for x in r.json] == [w.ids["a"]]),
    ],
    ("GET", "/api/v1/webhooks"): [
        Case("list", "GET", "/api/v1/webhooks",
             shows=lambda r, w: [e["id"] for e in r.json["endpoints"]] == [w.ids["hook-a"]]),
    ],
    ("POST", "/api/v1/webhooks"): [
        Case("B's URL is added to A", "POST", "/api/v1/webhooks", {"url": B_HOOK, "events": ["*"]},
             status=201, shows=lambda r, w: r.json["id"] not in (w.ids["hook-a"], w.ids["hook-b"])),
    ],
    ("GET", "/api/v1/connections"): [
        Case("connection only in B is not listed", "GET", "/api/v1/connections", shows=lambda r, w: r.json["connections"] == []),
    ],
    ("PUT", "/api/v1/connections/<platform>"): [
        Case("connection only in B is made anew in A", "PUT", "/api/v1/connections/shopify",
             {"domain": "a-store.myshopify.com", "secret": "a-secret"}, status=201,
             shows=lambda r, w: r.json["domain"] == "a-store.myshopify.com"),
    ],
    ("GET", "/api/v1/connections/<platform>"): [
        Case("connection only in B", "GET", "/api/v1/connections/shopify", status=404),
    ],
    ("DELETE", "/api/v1/connections/<platform>"): [
        Case("connection only in B", "DELETE", "/api/v1/connections/shopify", status=404),
    ],
    ("GET", "/api/v1/connections/<platform>/deliveries"): [
        Case("deliveries only in B", "GET", "/api/v1/connections/shopify/deliveries", status=404),
    ],
    ("DELETE", "/api/v1/webhooks/<endpoint_id>"): [
        Case("own endpoint", "DELETE", "/api/v1/webhooks/{hook-a}", status=204),
        Case("endpoint only in B", "DELETE", "/api/v1/webhooks/{hook-b}", status=404),
    ],
    ("GET", "/api/v1/outbox"): [
        Case("list", "GET", "/api/v1/outbox",
             shows=lambda r, w: not {m["recipient"] for m in r.json["messages"]} & {B_HOOK, B_EMAIL}),
    ],
    ("GET", "/api/v1/feedback"): [
        Case("list", "GET", "/api/v1/feedback",
             shows=lambda r, w: [f["message"] for f in r.json["feedback"]] == ["Private in A"]),
    ],
    ("GET", "/api/v1/feedback/export"): [
        Case("csv", "GET", "/api/v1/feedback/export?format=csv",
             shows=lambda r, w: "Private in A" in r.get_data(as_text=True)
             and "Private in B" not in r.get_data(as_text=True)),
        Case("json", "GET", "/api/v1/feedback/export?format=json",
             shows=lambda r, w: [f["message"] for f in r.json] == ["Private in A"]),
    ],
    ("GET", "/api/v1/feedback/<feedback_id>/replies"): [
        Case("own feedback", "GET", "/api/v1/feedback/{fb-a}/replies",
             shows=lambda r, w: [m["body"] for m in r.json["messages"]][1:] == ["Private in A", "Answered privately"]),
        Case("feedback only in B", "GET", "/api/v1/feedback/{fb-b}/replies", status=404),
    ],
    ("POST", "/api/v1/feedback/<feedback_id>/replies"): [
        Case("own feedback", "POST", "/api/v1/feedback/{fb-a}/replies", {"body": "Again from A"}, status=201,
             shows=lambda r, w: r.json["messages"][-1]["body"] == "Again from A"),
        Case("feedback only in B", "POST", "/api/v1/feedback/{fb-b}/replies", {"body": "From A"}, status=404),
    ],
    ("GET", "/api/v1/reviews/<review_id>/private-replies"): [
        Case("own review", "GET", "/api/v1/reviews/{a}/private-replies",
             shows=lambda r, w: (r.json["id"], r.json["review_id"]) == (w.ids["thr-a"], w.ids["a"])),
        Case("review only in B", "GET", "/api/v1/reviews/{b}/private-replies", status=404),
    ],
    ("POST", "/api/v1/reviews/<review_id>/private-replies"): [
        Case("own review", "POST", "/api/v1/reviews/{a}/private-replies", {"body": "From A"}, status=201,
             shows=lambda r, w: r.json["id"] == w.ids["thr-a"]),
        Case("review only in B", "POST", "/api/v1/reviews/{b-only}/private-replies", {"body": "From A"},
             status=404),
    ],
    ("GET", "/api/v1/inbox"): [
        Case("answered", "GET", "/api/v1/inbox?status=answered",
             shows=lambda r, w: [t["id"] for t in r.json["threads"]] == [w.ids["thr-a"]]),
    ],
    ("GET", "/api/v1/inbox/<thread_id>"): [
        Case("own thread", "GET", "/api/v1/inbox/{thr-a}", shows=lambda r, w: r.json["review_id"] == w.ids["a"]),
        Case("thread only in B", "GET", "/api/v1/inbox/{thr-b}", status=404),
    ],
    ("PATCH", "/api/v1/inbox/<thread_id>"): [
        Case("own thread", "PATCH", "/api/v1/inbox/{thr-a}", {"status": "closed"},
             shows=lambda r, w: r.json["status"] == "closed"),
        Case("thread only in B", "PATCH", "/api/v1/inbox/{thr-b}", {"status": "closed"}, status=404),
    ],
    ("GET", "/api/v1/survey/summary"): [
        Case("summary", "GET", "/api/v1/survey/summary", shows=lambda r, w: r.json["count"] == 0),
    ],
    ("GET", "/api/v1/referrals"): [
        Case("list", "GET", "/api/v1/referrals",
             shows=lambda r, w: [x["id"] for x in r.json["referrals"]] == [w.ids["ref-a"]]),
    ],
    ("GET", "/api/v1/referrals/funnel"): [
        Case("funnel", "GET", "/api/v1/referrals/funnel", shows=lambda r, w: r.json["referred_orders"] == 1),
    ],
    ("GET", "/api/v1/referrals/<referral_id>"): [
        Case("own referral", "GET", "/api/v1/referrals/{ref-a}",
             shows=lambda r, w: r.json["friend"]["email"] == "friend.a@example.com"),
        Case("referral only in B", "GET", "/api/v1/referrals/{ref-b}", status=404),
    ],
    ("POST", "/api/v1/referrals/<referral_id>/approve"): [
        Case("own referral, not flagged", "POST", "/api/v1/referrals/{ref-a}/approve", {}, status=409),
        Case("referral only in B", "POST", "/api/v1/referrals/{ref-b}/approve", {}, status=404),
    ],
    ("POST", "/api/v1/referrals/<referral_id>/reject"): [
        Case("own referral", "POST", "/api/v1/referrals/{ref-a}/reject", {"reason": "test"},
             shows=lambda r, w: r.json["status"] == "rejected"),
        Case("referral only in B", "POST", "/api/v1/referrals/{ref-b}/reject", {"reason": "test"}, status=404),
    ],
    ("GET", "/api/v1/moderation/queue"): [
        Case("published", "GET", "/api/v1/moderation/queue?status=published",
             shows=lambda r, w: _review_ids(r) == [w.ids["a"]]),
    ],
    ("POST", "/api/v1/reviews/<review_id>/decision"): [
        Case("own review", "POST", "/api/v1/reviews/{a}/decision", {"decision": "reject", "reason": "spam"},
             shows=lambda r, w: (r.json["id"], r.json["status"]) == (w.ids["a"], "rejected")),
        Case("review of the shared product only in B", "POST", "/api/v1/reviews/{b}/decision",
             {"decision": "reject", "reason": "spam"}, status=404),
        Case("review of a product only in B", "POST", "/api/v1/reviews/{b-only}/decision",
             {"decision": "approve"}, status=404),
    ],
    ("POST", "/api/v1/reviews/<review_id>/reply"): [
        Case("own review", "POST", "/api/v1/reviews/{a}/reply", {"body": "Thanks from A"},
             shows=lambda r, w: r.json["reply"]["body"] == "Thanks from A"),
        Case("review only in B", "POST", "/api/v1/reviews/{b}/reply", {"body": "Thanks from A"}, status=404),
    ],
    ("DELETE", "/api/v1/reviews/<review_id>/reply"): [
        Case("own review", "DELETE", "/api/v1/reviews/{a}/reply", status=204),
        Case("review only in B", "DELETE", "/api/v1/reviews/{b-only}/reply", status=404),
    ],
    ("GET", "/api/v1/moderation/revisions"): [
        Case("own edits only", "GET", "/api/v1/moderation/revisions",
             shows=lambda r, w: [e["review"]["id"] for e in r.json["revisions"]] == [w.ids["a"]]),
    ],
    ("POST", "/api/v1/reviews/<review_id>/revision/decision"): [
        Case("own review's edit", "POST", "/api/v1/reviews/{a}/revision/decision", {"decision": "approve"},
             shows=lambda r, w: (r.json["status"], r.json["review"]["rating"]) == ("applied", 2)),
        Case("review only in B", "POST", "/api/v1/reviews/{b}/revision/decision", {"decision": "approve"},
             status=404),
    ],
    ("GET", "/api/v1/reviews/<review_id>/history"): [
        Case("own review", "GET", "/api/v1/reviews/{a}/history",
             shows=lambda r, w: [e["action"] for e in r.json["events"]][-2:] == ["reply", "private_reply"]),
        Case("review only in B", "GET", "/api/v1/reviews/{b}/history", status=404),
    ],
    ("GET", "/api/v1/coupons"): [
        Case("pools", "GET", "/api/v1/coupons", shows=lambda r, w: r.json["pools"][0]["total"] == 1),
    ],
    ("POST", "/api/v1/coupons"): [
        Case("B's code is added to A", "POST", "/api/v1/coupons",
             {"kind": "referrer_reward", "codes": ["B-COUPON"]}, status=201, shows=lambda r, w: r.json["added"] == 1),
    ],
    ("POST", "/api/v1/loyalty/customers/lookup"): [
        Case("shared e-mail", "POST", "/api/v1/loyalty/customers/lookup", {"email": SHARED_EMAIL},
             shows=lambda r, w: str(r.json["customer_id"]) == w.ids["cust-a"] and r.json["spendable"] > 0),
        Case("e-mail only in B", "POST", "/api/v1/loyalty/customers/lookup", {"email": B_EMAIL}, status=404),
    ],
    ("GET", "/api/v1/loyalty/customers/<customer_id>"): [
        Case("own customer", "GET", "/api/v1/loyalty/customers/{cust-a}",
             shows=lambda r, w: str(r.json["customer_id"]) == w.ids["cust-a"]),
        Case("B's customer of the shared e-mail, only in B", "GET", "/api/v1/loyalty/customers/{cust-b}",
             status=404),
        Case("customer only in B", "GET", "/api/v1/loyalty/customers/{cust-b-only}", status=404),
    ],
    ("GET", "/api/v1/loyalty/customers/<customer_id>/ledger"): [
        Case("own customer", "GET", "/api/v1/loyalty/customers/{cust-a}/ledger",
             shows=lambda r, w: [e["reference"] for e in r.json["entries"]][-1] == SHARED_ORDER),
        Case("customer only in B", "GET", "/api/v1/loyalty/customers/{cust-b-only}/ledger", status=404),
    ],
    ("POST", "/api/v1/loyalty/customers/<customer_id>/adjustments"): [
        Case("own customer", "POST", "/api/v1/loyalty/customers/{cust-a}/adjustments",
             {"points": 7, "reason": "goodwill"}, status=201, shows=lambda r, w: r.json["points"] == 7),
        Case("customer only in B", "POST", "/api/v1/loyalty/customers/{cust-b}/adjustments",
             {"points": 7, "reason": "goodwill"}, status=404),
    ],
    ("POST", "/api/v1/loyalty/customers/<customer_id>/redemptions"): [
        Case("own customer, own pool", "POST", "/api/v1/loyalty/customers/{cust-a}/redemptions",
             {"reward": "five-off"}, status=201, shows=lambda r, w: r.json["code"] == "A-five-off-1"),
        Case("customer only in B", "POST", "/api/v1/loyalty/customers/{cust-b}/redemptions",
             {"reward": "five-off"}, status=404),
    ],
    ("POST", "/api/v1/loyalty/customers/<customer_id>/events"): [
        Case("own customer", "POST", "/api/v1/loyalty/customers/{cust-a}/events", {"type": "account_created"},
             shows=lambda r, w: r.json["granted"] == 3),
        Case("customer only in B", "POST", "/api/v1/loyalty/customers/{cust-b-only}/events",
             {"type": "account_created"}, status=404),
    ],
    ("POST", "/api/v1/loyalty/customer-tokens"): [
        Case("own customer", "POST", "/api/v1/loyalty/customer-tokens", {"customer_id": "{cust-a}"}, status=201,
             shows=lambda r, w: str(r.json["customer_id"]) == w.ids["cust-a"]),
        Case("customer only in B", "POST", "/api/v1/loyalty/customer-tokens", {"customer_id": "{cust-b}"},
             status=404),
    ],
    ("GET", "/api/v1/loyalty/rewards"): [
        Case("own rewards", "GET", "/api/v1/loyalty/rewards",
             shows=lambda r, w: [(x["id"], x["available"]) for x in r.json["rewards"]] == [("five-off", 1)]),
    ],
    ("POST", "/api/v1/loyalty/rewards/<reward_id>/coupons"): [
        Case("own reward", "POST", "/api/v1/loyalty/rewards/five-off/coupons", {"codes": ["B-five-off-1"]},
             status=201, shows=lambda r, w: (r.json["added"], r.json["available"]) == (1, 2)),
        Case("reward only in B", "POST", "/api/v1/loyalty/rewards/b-only/coupons", {"codes": ["X-1"]}, status=404),
    ],
}

CASES = [case for cases in MATRIX.values() for case in cases]
# The routes that name nothing but the key's own shop.
TAKES_NO_ID = {("GET", "/api/v1/shop"), ("PATCH", "/api/v1/shop"), ("GET", "/api/v1/webhooks"),
               ("POST", "/api/v1/webhooks"), ("GET", "/api/v1/outbox"),
               ("GET", "/api/v1/feeds/google-product-reviews.xml"), ("GET", "/api/v1/reviews/export"),
               ("GET", "/api/v1/referrals"), ("GET", "/api/v1/referrals/funnel"), ("GET", "/api/v1/coupons"),
               ("POST", "/api/v1/coupons"), ("GET", "/api/v1/moderation/queue"),
               ("GET", "/api/v1/survey/summary"), ("GET", "/api/v1/feedback"),
               ("GET", "/api/v1/moderation/revisions"), ("GET", "/api/v1/inbox"),
               ("GET", "/api/v1/feedback/export"), ("GET", "/api/v1/loyalty/rewards"),
               ("POST", "/api/v1/loyalty/customers/lookup"), ("POST", "/api/v1/loyalty/customer-tokens")}


def _filled(body: dict | None, ids: dict[str, str]) -> dict | None:
    """The body with "{name}" values replaced by the world's ids (a number where the id is one)."""
    if body is None:
        return None
    def fill(value):
        if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            found = ids[value[1:-1]]
            return int(found) if found.isdigit() else found
        return value
    return {key: fill(value) for key, value in body.items()}


def server_routes(app) -> set[tuple[str, str]]:
    """Every (method, rule) of the server API, from the URL map."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.rule.startswith("/api/v1/public/"):
            routes |= {(method, rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_every_server_route_is_in_the_matrix(app):
    routes = server_routes(app)
    assert routes - MATRIX.keys() == set(), "server API routes without a tenant-isolation case"
    assert MATRIX.keys() - routes == set(), "matrix entries for routes that no longer exist"


def test_every_route_that_takes_an_id_is_tried_with_one_only_b_has():
    for route, cases in MATRIX.items():
        if route not in TAKES_NO_ID:
            assert any("only in B" in case.name for case in cases), route


@pytest.mark.parametrize("case", CASES, ids=[f"{c.method} {c.path.split('?')[0]} ({c.name})" for c in CASES])
def test_shop_a_key_sees_and_changes_only_shop_a(world_app, case):
    app, world = world_app
    path = case.path.format(**world.ids) if "{" in case.path else case.path
    b_before = rows_of_shop(app, world.b.id)

    response = app.test_client().open(path, method=case.method, json=_filled(case.body, world.ids),
                                      headers=world.a.headers)

    if case.status == 404:
        assert_problem(response, 404)
    else:
        assert response.status_code == case.status, response.get_data(as_text=True)
    if case.shows is not None:
        assert case.shows(response, world), response.get_data(as_text=True)
    assert rows_of_shop(app, world.b.id) == b_before


def test_a_reviewers_edit_link_works_in_its_own_shop_only(world_app):
    """B's reviewer's token, sent with A's public key, reads, edits and withdraws nothing."""
    app, world = world_app
    client = app.test_client()
    token = edit_token(app, client, world.b, world.ids["b"])
    b_before = rows_of_shop(app, world.b.id)

    for answer in (client.get(f"{world.a.public}/my-review", query_string={"token": token}),
                   client.put(f"{world.a.public}/my-review", json={"token": token, "rating": 1}),
                   client.post(f"{world.a.public}/my-review/withdraw", json={"token": token})):
        assert_problem(answer, 403, field="token", shopper=True)
    assert client.get(f"/review/edit/{token}").status_code == 200  # its own shop's page still opens
    assert rows_of_shop(app, world.b.id) == b_before


def test_b_customers_loyalty_tokens_show_and_spend_nothing_in_shop_a(world_app):
    """The loyalty panel's public routes: B's widget token and B's customer token, sent with A's
    public key, show no points and redeem nothing (A's pool holds a reward of the same id)."""
    app, world = world_app
    client = app.test_client()
    widget_token = client.get(f"/api/v1/orders/{_p(SHARED_ORDER)}", headers=world.b.headers).get_json()["widget_token"]
    customer_token = client.post("/api/v1/loyalty/customer-tokens", json={"customer_id": int(world.ids["cust-b"])},
                                 headers=world.b.headers).get_json()["token"]
    a_before, b_before = rows_of_shop(app, world.a.id), rows_of_shop(app, world.b.id)
    origin = {"Origin": "https://shop-a.example"}

    for answer in (client.get(f"{world.a.public}/loyalty/me", query_string={"token": widget_token}),
                   client.post(f"{world.a.public}/loyalty/account", json={"token": customer_token}, headers=origin),
                   client.post(f"{world.a.public}/loyalty/redemptions", headers=origin,
                               json={"token": customer_token, "reward": "five-off"})):
        assert_problem(answer, 403, field="token", shopper=True)
    assert rows_of_shop(app, world.a.id) == a_before and rows_of_shop(app, world.b.id) == b_before
    own = client.post(f"{world.b.public}/loyalty/account", json={"token": customer_token},
                      headers={"Origin": "https://shop-b.example"})
    assert own.status_code == 200 and own.get_json()["can_redeem"]  # in its own shop it works
