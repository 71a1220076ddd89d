"""A moderator's change to a published review (rejected, sent back, redacted, a photo taken off) is
seen at once by the storefront reads of the process that made it, although they are cached."""

from __future__ import annotations

import pytest

from tests.factories import make_review

TTL = 60


@pytest.fixture
def app_config():
    return {"RATING_CACHE_TTL": TTL, "RATING_MAX_AGE": TTL}


def _read_twice(client, url: str):
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url).data == first.data  # now kept, by the fast path too
    return first


@pytest.mark.parametrize("action, data", [
    ("reject", {"reason": "abuse"}),
    ("bulk", {"action": "reject", "reason": "spam"}),
])
def test_a_rejection_in_the_admin_leaves_the_cached_rating_and_list_at_once(app, client, admin, shop, action, data):
    gone = make_review(app, shop, rating=1, title="Awful", status="published")
    make_review(app, shop, rating=5, title="Great", status="published")
    rating_url, list_url = f"{shop.public}/products/sku-1/rating", f"{shop.public}/products/sku-1/reviews"
    assert _read_twice(client, rating_url).get_json()["count"] == 2
    assert len(_read_twice(client, list_url).get_json()["reviews"]) == 2

    path = f"{admin.base}/queue/bulk" if action == "bulk" else f"{admin.base}/reviews/{gone}/reject"
    answer = admin.post(path, {**data, "ids": [gone]} if action == "bulk" else data)
    assert answer.status_code in (200, 302), answer.get_data(as_text=True)

    assert client.get(rating_url).get_json()["count"] == 1
    assert [r["title"] for r in client.get(list_url).get_json()["reviews"]] == ["Great"]


def test_a_redaction_in_the_admin_is_seen_at_once(app, client, admin, shop):
    rid = make_review(app, shop, title="Call Ana on 555 0100", body="Fits.", status="published")
    list_url = f"{shop.public}/products/sku-1/reviews"
    assert _read_twice(client, list_url).get_json()["reviews"][0]["title"] == "Call Ana on 555 0100"

    answer = admin.post(f"{admin.base}/reviews/{rid}/redact", {"title": "Call Ana on [redacted]", "body": "Fits."})
    assert answer.status_code in (200, 302), answer.get_data(as_text=True)

    assert client.get(list_url).get_json()["reviews"][0]["title"] == "Call Ana on [redacted]"


def test_a_removed_photo_is_gone_from_the_list_at_once(app, client, admin, shop):
    rid = make_review(app, shop, photos=1, status="published")
    list_url = f"{shop.public}/products/sku-1/reviews"
    [photo] = _read_twice(client, list_url).get_json()["reviews"][0]["photos"]

    answer = admin.post(f"{admin.base}/reviews/{rid}/photos/{photo['id']}/remove")
    assert answer.status_code in (200, 302), answer.get_data(as_text=True)

    assert client.get(list_url).get_json()["reviews"][0]["photos"] == []
