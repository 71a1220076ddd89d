"""The fragment and the badge in each of the widget's languages: the widget's own translations,
CLDR's dates and numbers, `lang` and `dir` on the fragment's root, and `lang` in the cache key."""

from __future__ import annotations

import re
from datetime import datetime
from xml.etree import ElementTree

import pytest
from babel.dates import format_date

from tests.helpers import assert_problem, publish, set_settings, upload_photo

from . import CONFIG, reply
from .test_seo import Page, fragment, html_url

LANGUAGES = ["ar", "de", "en", "es", "fr", "hy", "it", "ja", "ka", "lo", "nl", "pl", "pt", "ru", "tr",
             "uk", "vi", "zh"]
# What may read the same in every language: the shop's and the reviewers' own words, and loanwords.
ALLOWED = {"Shop A", "Ana B.", "Light and grippy", "Good.", "Thanks for writing.", "Staff"}
NUMBERISH = re.compile(r"[\d\s.,%()★☆\u066b\u066c\u200f\u061c\u00a0-]*")


@pytest.fixture
def app_config():
    return dict(CONFIG)


@pytest.fixture
def reviewed(client, shop, app):
    """Two published reviews (one with a photo and the shop's reply) and a review policy."""
    set_settings(client, shop, review_policy_url="https://shop-a.example/policy")
    photo = upload_photo(client, shop)
    first = publish(client, shop, rating=4, title="Light and grippy", display_name="Ana B.",
                    photo_ids=[photo["id"]])
    publish(client, shop, rating=5, email="other@example.com")
    reply(app, first["id"], "Thanks for writing.")
    return shop


def shown(page: Page) -> set[str]:
    """Every piece of text a reader sees or hears: text nodes, aria-labels, alt texts, captions."""
    pieces = {" ".join(t.split()) for t in page.text}
    for _, attrs in page.tags:
        pieces |= {attrs[name] for name in ("aria-label", "alt", "title") if attrs.get(name)}
    return {p for p in pieces if p and not NUMBERISH.fullmatch(p)}


def badge_title(client, shop, lang: str) -> str:
    svg = client.get(f"{shop.public}/products/sku-1/badge.svg", query_string={"lang": lang})
    assert svg.status_code == 200
    return ElementTree.fromstring(svg.get_data(as_text=True)).get("aria-label")


def test_georgian_fragment_has_georgian_words_and_a_cldr_date(client, reviewed):
    page = Page(fragment(client, reviewed, query_string={"lang": "ka"}).get_data(as_text=True))
    text = " ".join(" ".join(page.text).split())
    assert page.find("section", "rv-reviews")[0]["lang"] == "ka"
    assert page.find("section", "rv-reviews")[0]["dir"] == "ltr"
    assert "მყიდველების შეფასებები" in text  # "Customer reviews"
    assert "შეფასება: 4,5 5-დან" in text  # "Rated 4.5 out of 5", with CLDR's decimal comma
    assert "2 შეფასების მიხედვით" in text
    assert "დადასტურებული მყიდველი" in text and "პასუხი: Shop A" in text
    published = datetime.fromisoformat(page.find("time", "rv-date")[0]["datetime"]).date()
    assert format_date(published, "medium", locale="ka") in text
    assert published.isoformat() not in text


def test_arabic_fragment_is_right_to_left(client, reviewed):
    root = Page(fragment(client, reviewed, query_string={"lang": "ar"}).get_data(as_text=True))
    assert root.find("section", "rv-reviews")[0]["dir"] == "rtl"
    assert root.find("section", "rv-reviews")[0]["lang"] == "ar"


def test_the_shops_default_language_is_the_default(client, reviewed):
    set_settings(client, reviewed, default_locale="hy")
    page = Page(fragment(client, reviewed).get_data(as_text=True))
    assert page.find("section", "rv-reviews")[0]["lang"] == "hy"
    assert badge_title(client, reviewed, "") == badge_title(client, reviewed, "hy")
    assert badge_title(client, reviewed, "") != badge_title(client, reviewed, "en")


def test_a_regional_tag_reads_as_its_language(client, reviewed):
    page = Page(fragment(client, reviewed, query_string={"lang": "pt-BR"}).get_data(as_text=True))
    assert page.find("section", "rv-reviews")[0]["lang"] == "pt"


@pytest.mark.parametrize("lang", ["xx", "klingon", "en!", "sw"])
def test_an_unknown_lang_is_a_422_naming_lang(client, reviewed, lang):
    assert_problem(client.get(html_url(reviewed), query_string={"lang": lang}), 422, field="lang")


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_every_language_leaves_no_english(client, reviewed, lang):
    english = shown(Page(fragment(client, reviewed, query_string={"lang": "en"}).get_data(as_text=True)))
    other = shown(Page(fragment(client, reviewed, query_string={"lang": lang}).get_data(as_text=True)))
    assert (english & other) - ALLOWED == set()
    assert len(other) >= len(english) - 1  # nothing left out (a language may say two things alike)
    assert badge_title(client, reviewed, lang) != badge_title(client, reviewed, "en")
    empty = client.get(f"{reviewed.public}/products/never-sold/badge.svg", query_string={"lang": lang})
    assert "reviews" not in empty.get_data(as_text=True)


def test_languages_are_cached_apart(client, reviewed):
    first = {lang: fragment(client, reviewed, query_string={"lang": lang}) for lang in ("ka", "vi")}
    again = {lang: fragment(client, reviewed, query_string={"lang": lang}) for lang in ("ka", "vi")}
    assert first["ka"].get_data() != first["vi"].get_data()
    assert first["ka"].headers["ETag"] != first["vi"].headers["ETag"]
    for lang in ("ka", "vi"):
        assert again[lang].get_data() == first[lang].get_data()
    titles = [badge_title(client, reviewed, lang) for lang in ("ka", "vi", "ka", "vi")]
    assert titles[0] != titles[1] and titles[:2] == titles[2:]
