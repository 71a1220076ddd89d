"""A member's export holds their standing, birthday, ledger and redemptions; their erasure
anonymises the ledger (no birthday, no adjustment's words, the points forfeited) and keeps it for
the shop's accounts."""

from __future__ import annotations

from sqlalchemy import select

from reviews_service.extensions import db
from reviews_service.loyalty.models import Entry, Member

from .conftest import load_codes, order, redeem, standing


def test_the_export_holds_the_birthday_ledger_and_redemptions(client, program):
    load_codes(client, program, "five-off", ["FIVE-1"])
    customer = order(client, program, "50.00", email="ana@example.com")["customer_id"]
    client.post(f"/api/v1/loyalty/customers/{customer}/events", json={"type": "birthday", "month": 7, "day": 9},
                headers=program.headers)
    client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", json={"points": 100, "reason": "Welcome back"},
                headers=program.headers)
    assert redeem(client, program, customer).status_code == 201

    data = client.get("/api/v1/customers/export", query_string={"email": "ana@example.com"},
                      headers=program.headers).json["loyalty"]
    assert (data["spendable"], data["pending"], data["birthday"]) == (0, 50, {"month": 7, "day": 9})
    assert [(e["kind"], e["points"], e["reason"]) for e in data["ledger"]] == [
        ("earn", 50, data["ledger"][0]["reason"]), ("adjust", 100, "Welcome back"), ("redeem", -100, "reward five-off")]
    assert [(r["reward"], r["code"]) for r in data["redemptions"]] == [("five-off", "FIVE-1")]


def test_the_erasure_anonymises_the_ledger_and_keeps_it(app, client, program):
    customer = order(client, program, "50.00", email="ana@example.com")["customer_id"]
    client.post(f"/api/v1/loyalty/customers/{customer}/events", json={"type": "birthday", "month": 7, "day": 9},
                headers=program.headers)
    client.post(f"/api/v1/loyalty/customers/{customer}/adjustments", headers=program.headers,
                json={"points": 20, "reason": "Ana Petrosyan called about her parcel"})

    answer = client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=program.headers)

    assert answer.status_code == 200
    assert {k: v for k, v in answer.json.items() if k.startswith("loyalty")} == {
        "loyalty_ledger_anonymised": 1, "loyalty_points_forfeited": 70, "loyalty_reasons_blanked": 1}
    assert client.get(f"/api/v1/loyalty/customers/{customer}", headers=program.headers).status_code == 404
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.customer_id == customer))
        entries = list(db.session.scalars(select(Entry).where(Entry.member_id == member.id).order_by(Entry.id)))
        assert (member.birthday_month, member.birthday_day, member.spendable, member.pending) == (None, None, 0, 0)
        assert [(e.kind, e.points, e.reason) for e in entries] == [
            ("earn", 50, entries[0].reason), ("adjust", 20, ""), ("expire", -70, "the customer was erased")]


def test_a_new_order_after_the_erasure_starts_a_new_member(client, program):
    first = order(client, program, "50.00", email="ana@example.com")["customer_id"]
    client.post("/api/v1/customers/erase", json={"email": "ana@example.com"}, headers=program.headers)
    again = order(client, program, "30.00", email="ana@example.com")["customer_id"]
    assert again != first and standing(client, program, again)["pending"] == 30
