"""Every cursor-paginated list decodes its cursor with the one codec (reviews_service/cursors.py):
a cursor made for another list, or tampered with, is a 422 naming `cursor` on each, never a 500."""

from __future__ import annotations

import base64
import json

import pytest

from .factories import make_product
from .helpers import assert_problem

AT = "2026-10-01T08:00:00+00:00"


def forged(list_name: str, key: list) -> str:
    raw = json.dumps({"s": list_name, "k": key}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Each list: where it is, its query, whether it needs the secret key, its name in a cursor, and a
# key of its shape with a given id last.
LISTS = {
    "sync": ("/api/v1/reviews", {}, True, "sync", lambda id_: [AT, id_]),
    "referrals": ("/api/v1/referrals", {}, True, "referrals", lambda id_: [id_]),
    "public": ("/products/sku-1/reviews", {"sort": "newest"}, False, "newest", lambda id_: [AT, id_]),
}
BAD_IDS = {"id past INTEGER": 2**40, "id zero": 0, "id as bool": True, "id as text": "1 OR 1=1"}


def hostile(case: str, which: str) -> str:
    _, _, _, name, key = LISTS[which]
    if case in BAD_IDS:
        return forged(name, key(BAD_IDS[case]))
    if case == "another list's cursor":
        return forged("sync", [AT, 5]) if which == "referrals" else forged("referrals", [5])
    return {"not base64 json": "garbage!", "bad padding": "e30"}[case]


@pytest.mark.parametrize("case", ["not base64 json", "bad padding", "another list's cursor", *BAD_IDS])
@pytest.mark.parametrize("which", LISTS)
def test_a_foreign_or_tampered_cursor_is_422_naming_cursor(app, client, shop, case, which):
    make_product(app, shop, "sku-1")
    path, query, server, _, _ = LISTS[which]
    url = path if server else shop.public + path

    answer = client.get(url, query_string={**query, "cursor": hostile(case, which)},
                        headers=shop.headers if server else {})

    assert_problem(answer, 422, field="cursor")
