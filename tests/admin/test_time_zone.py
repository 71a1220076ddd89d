"""Times in the admin are shown in the shop's time zone (the `time_zone` setting, UTC by default)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from reviews_service.extensions import db
from reviews_service.reviews.models import Review
from reviews_service.shops import service as shops
from tests.factories import make_review

from .forms import form_fields

WRITTEN = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)


def _written_at(app, public_id: str, when: datetime = WRITTEN) -> None:
    with app.app_context():
        db.session.execute(update(Review).where(Review.public_id == public_id).values(created_at=when))
        db.session.commit()


def _set_zone(app, shop, name: str) -> None:
    with app.app_context():
        shops.update_shop(shops.get_shop(shop.id), {"settings": {"time_zone": name}})


def test_times_are_in_utc_by_default(app, admin, shop):
    _written_at(app, make_review(app, shop))
    html = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert "15 Jan 2026, 23:30 UTC" in html


@pytest.mark.parametrize("zone, shown", [
    ("Europe/Berlin", "16 Jan 2026, 00:30 CET"),
    ("America/New_York", "15 Jan 2026, 18:30 EST"),
    ("Asia/Yerevan", "16 Jan 2026, 03:30 +04"),  # a zone without a letter abbreviation: its offset
])
def test_times_are_in_the_shops_time_zone(app, admin, shop, zone, shown):
    rid = make_review(app, shop)
    _written_at(app, rid)
    _set_zone(app, shop, zone)
    assert shown in admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert shown in admin.get(f"{admin.base}/reviews/{rid}").get_data(as_text=True)


def test_summer_time_is_followed(app, admin, shop):
    rid = make_review(app, shop)
    _written_at(app, rid, datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    _set_zone(app, shop, "Europe/Berlin")
    assert "1 Jul 2026, 14:00 CEST" in admin.get(f"{admin.base}/queue").get_data(as_text=True)


def test_the_settings_form_sets_the_time_zone(app, owner, shop):
    html = owner.get(f"{owner.base}/settings").get_data(as_text=True)
    data = form_fields(html, index=1)
    assert data["time_zone"] == ["UTC"]
    data["time_zone"] = ["Europe/Lisbon"]
    assert owner.client.post(f"{owner.base}/settings", data=data).status_code == 302
    with app.app_context():
        assert shops.settings_of(shops.get_shop(shop.id))["time_zone"] == "Europe/Lisbon"


@pytest.mark.parametrize("name", ["Mars/Olympus", "europe/berlin", "", "../../etc/passwd", "Europe"])
def test_an_unknown_time_zone_is_refused_on_its_field(app, owner, shop, name):
    data = form_fields(owner.get(f"{owner.base}/settings").get_data(as_text=True), index=1)
    data["time_zone"] = [name]
    answer = owner.client.post(f"{owner.base}/settings", data=data)
    assert answer.status_code == 422
    assert "Not a time zone this server knows" in answer.get_data(as_text=True)
    with app.app_context():
        assert shops.settings_of(shops.get_shop(shop.id))["time_zone"] == "UTC"

