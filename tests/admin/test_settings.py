"""The settings page: every setting of the schema, saved through the schema's validation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviews_service.admin import settings_form
from reviews_service.extensions import db
from reviews_service.shops import settings as shop_settings
from reviews_service.shops.models import Shop
from tests.factories import make_review

from .conftest import review_row
from .forms import form_fields


def _stored(app, shop) -> tuple[dict, list[str], str]:
    with app.app_context():
        row = db.session.scalar(select(Shop).where(Shop.id == shop.id))
        return dict(row.settings or {}), list(row.allowed_origins or []), row.name


def _current_form(owner) -> dict[str, list[str]]:
    html = owner.get(f"{owner.base}/settings").get_data(as_text=True)
    return form_fields(html, index=1)  # form 0 is "sign out" in the header


def test_every_setting_of_the_schema_has_a_field(app, owner):
    html = owner.get(f"{owner.base}/settings").get_data(as_text=True)
    with app.app_context():
        _, described = settings_form.build()
    keys = {f.path[0] for f in described}
    assert keys == {key for key, field in shop_settings.SettingsSchema().fields.items()
                    if not field.metadata.get("own_page")}
    for f in described:
        assert f'name="{f.attr}"' in html, f.path
    assert 'name="allowed_origins"' in html and 'name="shop_name"' in html


def test_submitting_the_form_unchanged_stores_nothing(app, owner, shop):
    answer = owner.client.post(f"{owner.base}/settings", data=_current_form(owner))
    assert answer.status_code == 302, answer.get_data(as_text=True)
    settings, origins, name = _stored(app, shop)
    assert settings == {} and origins == ["https://shop-a.example"] and name == "Shop A"


def test_changes_are_saved_and_shown(app, owner, shop):
    data = _current_form(owner)
    data.update({"shop_name": ["Shop A (EU)"], "allowed_origins": ["https://shop-a.example\nhttps://Www.Shop-A.example:443/"],
                 "review_request_delay_days": ["3"], "staff_email_domains": ["shop-a.example\nstaff.example"],
                 "rule_links_reason": ["off_topic"], "rule_duplicate_similarity": ["0.8"],
                 "referrals__friend_offer__value": ["15"]})
    data.pop("allow_rating_only", None)  # an unticked checkbox is not sent
    answer = owner.client.post(f"{owner.base}/settings", data=data)
    assert answer.status_code == 302
    settings, origins, name = _stored(app, shop)
    assert name == "Shop A (EU)"
    assert origins == ["https://shop-a.example", "https://www.shop-a.example"]
    assert settings["review_request_delay_days"] == 3
    assert settings["staff_email_domains"] == ["shop-a.example", "staff.example"]
    assert settings["allow_rating_only"] is False
    assert settings["rule_links_reason"] == "off_topic"
    assert settings["rule_duplicate_similarity"] == 0.8
    assert settings["referrals"]["friend_offer"]["value"] == "15.00"
    page = owner.get(f"{owner.base}/settings").get_data(as_text=True)
    assert "Settings saved." in page and "staff.example" in page


@pytest.mark.parametrize("field, value, message", [
    ("review_request_delay_days", "999", "less than or equal to 365"),
    ("review_request_delay_days", "soon", "Not a valid integer"),
    ("staff_email_domains", "shop-a.example\nNot A Domain", "line 2: Not a lower-case domain name."),
    ("review_policy_url", "ftp://policy", "Must be an http(s) URL."),
    ("rule_duplicate_similarity", "2", "between 0.5 and 1"),
    ("allowed_origins", "https://shop.example/path", "must be an origin only"),
    ("referrals__share_url_template", "https://shop.example/?ref=", "Must hold {code} once"),
    ("blocklist_ip_hashes", "1.2.3.4", "Not an IP hash"),
    ("support_email", "Support <help@shop.example>", "Not an e-mail address"),
    ("review_request_intro", '{"xx": "Hi"}', "Not a language this service speaks"),
    ("email_sign_off", '{"hy": "Hi"', "Not valid JSON"),
])
def test_invalid_values_are_refused_on_their_field_and_nothing_is_saved(app, owner, shop, field, value, message):
    data = _current_form(owner)
    data[field] = [value]
    answer = owner.client.post(f"{owner.base}/settings", data=data)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert message in html
    assert 'aria-invalid="true"' in html or "alert-error" in html
    assert _stored(app, shop)[0] == {}


def test_the_shops_own_texts_are_one_text_or_json_per_language(app, owner, shop):
    data = _current_form(owner)
    data.update({"support_email": ["help@shop.example"], "email_sign_off": ["The Acme team"],
                 "review_request_intro": ['{"hy-AM": "Շնորհակալություն", "en": "Thank you"}']})
    assert owner.client.post(f"{owner.base}/settings", data=data).status_code == 302
    settings = _stored(app, shop)[0]
    assert settings["support_email"] == "help@shop.example"
    assert settings["email_sign_off"] == "The Acme team"
    assert settings["review_request_intro"] == {"hy": "Շնորհակալություն", "en": "Thank you"}
    again = _current_form(owner)
    assert again["email_sign_off"] == ["The Acme team"] and '"hy": "Շնորհակալություն"' in again["review_request_intro"][0]
    assert owner.client.post(f"{owner.base}/settings", data=again).status_code == 302
    assert _stored(app, shop)[0] == settings


def test_changing_a_rule_runs_the_rules_again(app, owner, shop):
    rid = make_review(app, shop, body="Cheaper at https://spam.example/deal now.")
    assert review_row(app, rid).moderation_rule == "links"
    data = _current_form(owner)
    data["rule_links_action"] = ["reject"]
    owner.client.post(f"{owner.base}/settings", data=data)
    row = review_row(app, rid)
    assert (row.status, row.reject_reason) == ("rejected", "spam")
    assert "The rules ran again" in owner.get(f"{owner.base}/settings").get_data(as_text=True)


def test_rerun_button(app, owner, shop):
    answer = owner.post(f"{owner.base}/settings/rerun-rules")
    assert answer.status_code == 302
    assert "The rules ran again on 0 pending and published reviews" in \
        owner.get(f"{owner.base}/settings").get_data(as_text=True)


def test_settings_without_csrf_is_400(app, owner, shop):
    data = _current_form(owner)
    data.pop("csrf_token")
    data["review_request_delay_days"] = ["3"]
    assert owner.client.post(f"{owner.base}/settings", data=data).status_code == 400
    assert owner.post(f"{owner.base}/settings/rerun-rules", csrf=False).status_code == 400
    assert _stored(app, shop)[0] == {}


def test_the_vote_window_is_a_reviews_setting(app, owner, shop):
    data = _current_form(owner)
    assert data["vote_window_days"] == ["30"]
    data["vote_window_days"] = ["7"]

    assert owner.client.post(f"{owner.base}/settings", data=data).status_code == 302

    assert _stored(app, shop)[0] == {"vote_window_days": 7}
