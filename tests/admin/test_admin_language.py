"""The admin speaks each user's language (en, hy, ka, lo, vi): chosen on the account page, else the
browser's among the admin's languages, else English; dates and numbers follow the language (CLDR).
The shoppers' pages keep choosing their own language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from reviews_service.extensions import db
from reviews_service.reviews.models import Review

from .conftest import Admin, admin_for, csrf_token, make_review, sign_in

WRITTEN = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)


def _written_at(app, public_id: str) -> None:
    with app.app_context():
        db.session.execute(update(Review).where(Review.public_id == public_id).values(created_at=WRITTEN))
        db.session.commit()


def choose(user, lang: str):
    page = user.get("/admin/account").get_data(as_text=True)
    return user.client.post("/admin/account/language", data={"language": lang, "csrf_token": csrf_token(page)},
                            follow_redirects=True)


def test_the_account_page_offers_the_admin_languages_by_their_own_names(admin):
    html = admin.get("/admin/account").get_data(as_text=True)
    options = [(re.search(r'value="([^"]*)"', attrs).group(1), name)
               for attrs, name in re.findall(r"<option([^>]*)>([^<]*)</option>", html)]
    assert options == [("", "As the browser asks"), ("en", "English"), ("hy", "Հայերեն"), ("ka", "ქართული"),
                       ("lo", "ລາວ"), ("vi", "Tiếng Việt")]


def test_a_user_who_chooses_armenian_sees_the_queue_in_armenian_with_armenian_dates(app, admin, shop):
    _written_at(app, make_review(app, shop, name="Ani Hakobyan"))
    answer = choose(admin, "hy")
    assert answer.status_code == 200
    confirmation = answer.get_data(as_text=True)
    assert "Ադմինն այժմ խոսում է ձեր ընտրած լեզվով։" in confirmation  # told in the new language already
    html = admin.get(f"{admin.base}/queue").get_data(as_text=True)
    assert '<html lang="hy">' in html
    assert "Մոդերացիայի հերթ" in html and "Moderation queue" not in html
    assert "2026 թ. հնվ 15, 23:30 UTC" in html  # CLDR's Armenian medium date, the shop's zone
    assert "Հաստատել" in html and ">Approve<" not in html


def test_the_dashboard_and_settings_are_armenian_with_armenian_numbers(app, shop):
    owner = admin_for(app, shop, "owner")
    for rating in (4, 5):
        make_review(app, shop, rating=rating, status="published")
    choose(owner, "hy")
    dashboard = owner.get(f"{owner.base}/dashboard").get_data(as_text=True)
    assert "Վահանակ" in dashboard and "Համապատասխանություն" in dashboard
    assert '<span class="tile-value">4,50</span>' in dashboard  # the Armenian decimal comma
    assert "12 շաբաթ" in dashboard  # ngettext in the period picker
    settings = owner.get(f"{owner.base}/settings").get_data(as_text=True)
    assert "Կարգավորումներ" in settings and "Պահպանել կարգավորումները" in settings
    assert "Մոդերացիայի կանոններ" in settings and "Save settings" not in settings


def test_another_user_still_sees_english(app, admin, shop):
    make_review(app, shop)
    choose(admin, "hy")
    other = admin_for(app, shop, "moderator")
    html = other.get(f"{other.base}/queue").get_data(as_text=True)
    assert '<html lang="en">' in html and "Moderation queue" in html and "Մոդերացիայի" not in html


def test_the_choice_outlives_the_session(app, admin, shop):
    choose(admin, "ka")
    admin.post("/admin/logout")
    client = app.test_client()
    assert sign_in(client, admin.email).status_code == 302
    again = Admin(client, admin.email, shop)
    assert "მოდერაციის რიგი" in again.get(f"{again.base}/queue").get_data(as_text=True)


@pytest.mark.parametrize("header, lang, heading", [
    ("vi-VN,vi;q=0.9,en;q=0.5", "vi", "Hàng đợi kiểm duyệt"),
    ("de-DE,lo;q=0.8", "lo", "ຄິວກວດກາ"),
    ("de-DE,fr;q=0.8", "en", "Moderation queue"),  # no admin language asked for: English
])
def test_without_a_choice_the_browsers_language_among_the_admins_is_used(admin, header, lang, heading):
    html = admin.get(f"{admin.base}/queue", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and heading in html


def test_a_chosen_language_wins_over_the_browsers(admin):
    choose(admin, "hy")
    html = admin.get(f"{admin.base}/queue", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    assert '<html lang="hy">' in html


def test_choosing_the_browsers_language_again_unsets_the_choice(admin):
    choose(admin, "hy")
    choose(admin, "")
    html = admin.get(f"{admin.base}/queue", headers={"Accept-Language": "ka"}).get_data(as_text=True)
    assert '<html lang="ka">' in html


@pytest.mark.parametrize("header, lang, button", [
    ("ka-GE", "ka", "შესვლა"), ("lo", "lo", "ເຂົ້າສູ່ລະບົບ"), ("hy-AM,en;q=0.1", "hy", "Մուտք գործել"),
    ("ja", "en", "Sign in"),
])
def test_the_sign_in_page_follows_the_browser(client, header, lang, button):
    html = client.get("/admin/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html and f'class="button primary wide">{button}</button>' in html


def test_a_failed_sign_in_says_so_in_the_browsers_language(client, admin):
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    answer = client.post("/admin/login", data={"email": admin.email, "password": "wrong password!",
                                                "csrf_token": token}, headers={"Accept-Language": "vi"})
    assert "Địa chỉ thư và mật khẩu đó không khớp với tài khoản nào." in answer.get_data(as_text=True)


def test_form_messages_are_in_the_users_language(admin):
    choose(admin, "ka")
    page = admin.get("/admin/account").get_data(as_text=True)
    answer = admin.client.post("/admin/account", data={"csrf_token": csrf_token(page)})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "ეს ველი სავალდებულოა." in html  # WTForms' own message


def test_an_unknown_language_is_refused_and_nothing_changes(admin):
    page = admin.get("/admin/account").get_data(as_text=True)
    answer = admin.client.post("/admin/account/language", data={"language": "de", "csrf_token": csrf_token(page)})
    assert answer.status_code == 422
    assert '<html lang="en">' in admin.get(f"{admin.base}/queue").get_data(as_text=True)


def test_the_shoppers_pages_keep_their_own_language(app, admin, shop):
    choose(admin, "vi")
    html = admin.get(f"/policy/{shop.public_key}", headers={"Accept-Language": "hy"}).get_data(as_text=True)
    assert 'lang="hy"' in html and 'lang="vi"' not in html
