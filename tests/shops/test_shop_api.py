"""The shop's own settings through the server API (GET and PATCH /api/v1/shop); each room's own
settings are tested with the room (the rules in tests/moderation, the program in tests/referrals,
the allowed origins with CORS in tests/reviews)."""

from __future__ import annotations


def test_the_api_validates_the_time_zone_too(client, shop):
    answer = client.patch("/api/v1/shop", json={"settings": {"time_zone": "Nowhere/Else"}}, headers=shop.headers)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert "time_zone" in str(answer.get_json()["errors"])
    ok = client.patch("/api/v1/shop", json={"settings": {"time_zone": "Asia/Tbilisi"}}, headers=shop.headers)
    assert ok.status_code == 200 and ok.get_json()["settings"]["time_zone"] == "Asia/Tbilisi"
