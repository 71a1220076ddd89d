"""The referral program's admin page: funnel, top referrers, coupon pool, flagged queue (owners only)."""

from __future__ import annotations

import pytest

from reviews_service.referrals import fraud
from tests.referrals.conftest import browser, code_of, load_coupons, order, referral_of, set_program

from .conftest import admin_for


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "10000 per minute"}


def _tile(html: str, value: str, label: str) -> bool:
    return f'<span class="tile-value">{value}</span><span class="tile-label">{label}</span>' in html


def flagged_referral(client, shop) -> tuple[str, dict]:
    """A referral flagged at once (its code clicked from many networks); answers the code too."""
    set_program(client, shop)
    code = code_of(client, shop, order(client, shop, "ana@example.com", "Ana Referrer"))
    for n in range(fraud.LEAK_NETWORKS):
        browser(client, shop, ip=f"203.0.113.{n + 1}").click(code)
    friend = order(client, shop, "bob@example.com", "Bob Friend", code=code)
    referral = referral_of(client, shop, friend["id"])
    assert referral["status"] == "flagged"
    return code, referral


def test_the_page_shows_the_funnel_top_referrers_and_the_flagged_queue(client, owner, shop):
    code, referral = flagged_referral(client, shop)

    answer = owner.get(f"{owner.base}/referrals")

    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert _tile(html, str(fraud.LEAK_NETWORKS), "clicks") and _tile(html, "1", "referred orders")
    assert _tile(html, "0", "approved") and _tile(html, "1", "flagged")
    assert '<svg class="chart"' in html and "Referral funnel" in html
    assert code in html and "Ana Referrer" in html  # top referrers
    assert referral["id"] in html and fraud.UNCLEAR[-1] in html  # the flagged queue, its signal named
    assert f'href="{owner.base}/settings"' in html
    assert f'href="{owner.base}/referrals" aria-current="page"' in html  # the navigation


def test_moderators_get_403_and_another_shop_404(app, admin, owner, other_shop):
    assert admin.get(f"{admin.base}/referrals").status_code == 403
    assert admin.post(f"{admin.base}/referrals/coupons", {"kind": "friend_offer", "codes": "X"}).status_code == 403
    assert owner.get(f"/admin/shops/{other_shop.slug}/referrals").status_code == 404
    assert owner.post(f"/admin/shops/{other_shop.slug}/referrals/coupons",
                      {"kind": "friend_offer", "codes": "X"}).status_code == 404
    assert f'href="{admin.base}/referrals"' not in admin.get(f"{admin.base}/queue").get_data(as_text=True)


def test_loading_coupons_updates_the_counts_and_the_low_warning(client, owner, shop):
    set_program(client, shop)
    before = owner.get(f"{owner.base}/referrals").get_data(as_text=True)
    assert "Warning:" in before  # rewards come from an empty pool

    answer = owner.post(f"{owner.base}/referrals/coupons",
                        {"kind": "referrer_reward", "codes": "R-1\nR-2\n\nR-2\n R-3 "}, follow_redirects=True)

    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "3 codes added, 1 skipped; 3 available" in html
    assert '<tr id="pool-referrer_reward"><th scope="row">Referrer rewards</th>\n          <td>3 ' in html
    assert "Warning:" in html  # still fewer than the threshold
    many = "\n".join(f"M-{n}" for n in range(10))
    html = owner.post(f"{owner.base}/referrals/coupons", {"kind": "referrer_reward", "codes": many},
                      follow_redirects=True).get_data(as_text=True)
    assert "Warning:" not in html


def test_loading_bad_or_no_codes_is_422(owner):
    assert owner.post(f"{owner.base}/referrals/coupons", {"kind": "referrer_reward", "codes": ""}).status_code == 422
    answer = owner.post(f"{owner.base}/referrals/coupons", {"kind": "referrer_reward", "codes": "x" * 65})
    assert answer.status_code == 422 and "without spaces" in answer.get_data(as_text=True)


def test_approving_a_flagged_referral(client, owner, shop):
    _, referral = flagged_referral(client, shop)
    load_coupons(client, shop, "REWARD-1")

    answer = owner.post(f"{owner.base}/referrals/{referral['id']}/approve", follow_redirects=True)

    assert answer.status_code == 200 and "Approved" in answer.get_data(as_text=True)
    after = referral_of(client, shop, referral["order"]["id"])
    assert (after["status"], after["owner_cleared"], after["decided_by"]) == ("pending", True, None)


def test_rejecting_a_flagged_referral_with_a_reason(client, owner, shop):
    _, referral = flagged_referral(client, shop)

    answer = owner.post(f"{owner.base}/referrals/{referral['id']}/reject",
                        {"reason": "Code posted on a coupon site"}, follow_redirects=True)

    assert answer.status_code == 200 and "Rejected" in answer.get_data(as_text=True)
    after = referral_of(client, shop, referral["order"]["id"])
    assert (after["status"], after["note"], after["decided_by"]) == ("rejected", "Code posted on a coupon site",
                                                                     "owner")
    again = owner.post(f"{owner.base}/referrals/{referral['id']}/approve", follow_redirects=True)
    assert "Only flagged referrals" in again.get_data(as_text=True)


def test_posts_without_csrf_are_400_and_change_nothing(app, client, owner, shop):
    _, referral = flagged_referral(client, shop)
    for path, data in ((f"{referral['id']}/approve", {}),
                       (f"{referral['id']}/reject", {"reason": "Other"}),
                       ("coupons", {"kind": "referrer_reward", "codes": "C-1"})):
        assert owner.post(f"{owner.base}/referrals/{path}", data, csrf=False).status_code == 400
    assert referral_of(client, shop, referral["order"]["id"])["status"] == "flagged"
    assert "C-1" not in owner.get(f"{owner.base}/referrals").get_data(as_text=True)
    me = admin_for(app, shop, "owner")
    assert me.post(f"{me.base}/referrals/rf_nope/approve").status_code == 404
