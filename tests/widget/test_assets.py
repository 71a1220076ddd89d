"""The widget's files as the server serves them, its size budgets, its locales, its config and
the review policy page. No browser needed: these run everywhere."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from babel import Locale

from reviews_service.shops import incentives
from reviews_service.shops import service as shops
from reviews_service.shops.service import settings_of
from reviews_service.widget import assets
from reviews_service.widget.demo import seed as demo_seed

from ..factories import make_shop

WIDGET = Path(__file__).resolve().parents[2] / "static" / "widget"
LANGUAGES = ["en", "es", "de", "fr", "pt", "it", "nl", "pl", "ru", "uk", "tr", "ar", "hy", "ka", "lo", "vi",
             "ja", "zh"]
# Words that really are the same as in English.
SAME_AS_ENGLISH = {("de", "note"), ("de", "optional"), ("es", "no"), ("fr", "photos"), ("it", "label_staff"),
                   ("it", "no")}
BUDGETS = {"reviews.js": 10 * 1024, "stars.js": 1500, "loyalty.js": 3200}  # gzipped bytes


# --- size budgets ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name, budget", BUDGETS.items())
def test_script_is_within_its_gzipped_budget(name, budget):
    size = len(gzip.compress((WIDGET / name).read_bytes(), compresslevel=9))
    assert size <= budget, f"{name} is {size} bytes gzipped, over its budget of {budget}"


@pytest.mark.parametrize("name, budget", BUDGETS.items())
def test_served_script_is_within_its_budget_too(client, name, budget):
    r = client.get(f"/widget/v1/{name}", headers={"Accept-Encoding": "gzip"})
    assert r.headers["Content-Encoding"] == "gzip" and len(r.data) <= budget


def test_no_build_step_one_readable_file_per_entry_point():
    for name in BUDGETS:
        text = (WIDGET / name).read_text(encoding="utf-8")
        assert max(len(line) for line in text.splitlines()) <= 130  # not minified
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text and "eval(" not in text
        assert ".style." not in text and "setAttribute(\"style\"" not in text


# --- serving --------------------------------------------------------------------------------------

def test_entry_url_is_cached_briefly_and_names_its_version(client):
    r = client.get("/widget/v1/reviews.js")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert r.headers["Cache-Control"] == assets.ENTRY
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Encoding" not in r.headers  # the client did not ask for gzip
    version = re.search(r'const VERSION = "([0-9a-f]{12})"', r.get_data(as_text=True)).group(1)
    with client.application.app_context():
        assert version == assets.bundle().version


@pytest.mark.parametrize("url", ["/widget/v1/{v}/reviews.css", "/widget/v1/reviews.css?v={v}",
                                 "/widget/v1/{v}/locales/ar.json", "/widget/v1/{v}/stars.js"])
def test_versioned_urls_are_immutable(client, url):
    with client.application.app_context():
        version = assets.bundle().version
    r = client.get(url.format(v=version), headers={"Accept-Encoding": "gzip, br"})
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert r.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in r.headers["Vary"]
    assert gzip.decompress(r.data)
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_another_version_is_served_but_not_for_long(client):
    r = client.get("/widget/v1/0123456789ab/reviews.css")
    assert r.status_code == 200 and r.headers["Cache-Control"] == assets.ENTRY


@pytest.mark.parametrize("name, mimetype", [("reviews.css", "text/css; charset=utf-8"),
                                            ("locales/ja.json", "application/json"),
                                            ("stars.js", "text/javascript; charset=utf-8")])
def test_mime_types(client, name, mimetype):
    assert client.get(f"/widget/v1/{name}").headers["Content-Type"] == mimetype


@pytest.mark.parametrize("encoding", ["", "gzip"])
def test_etag_answers_not_modified(client, encoding):
    first = client.get("/widget/v1/reviews.js", headers={"Accept-Encoding": encoding})
    again = client.get("/widget/v1/reviews.js", headers={"Accept-Encoding": encoding,
                                                         "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_each_encoding_has_its_own_etag(client):
    plain = client.get("/widget/v1/reviews.js").headers["ETag"]
    gzipped = client.get("/widget/v1/reviews.js", headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    assert plain != gzipped


@pytest.mark.parametrize("path", ["/widget/v1/nope.js", "/widget/v1/../../pyproject.toml",
                                  "/widget/v1/%2e%2e/%2e%2e/pyproject.toml", "/widget/v1/README.md",
                                  "/widget/v1/locales/xx.json"])
def test_only_widget_files_are_served(client, path):
    assert client.get(path).status_code == 404


# --- locales ---------------------------------------------------------------------------------------

def _placeholders(value) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", json.dumps(value, ensure_ascii=False)))


@pytest.mark.parametrize("folder", ["locales", "policy"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_string(folder, lang):
    english = json.loads((WIDGET / folder / "en.json").read_text(encoding="utf-8"))
    table = json.loads((WIDGET / folder / f"{lang}.json").read_text(encoding="utf-8"))
    assert table.keys() == english.keys()
    for key, value in table.items():
        if key == "_cldr":  # formatting data, not a string (below)
            continue
        if isinstance(value, dict):
            assert "other" in value and set(value) <= {"zero", "one", "two", "few", "many", "other"}, key
            assert all(isinstance(v, str) and v.strip() for v in value.values()), key
            # Some plural forms spell the number out ("one review"); the "other" form never does.
            assert _placeholders(value["other"]) == _placeholders(english[key]["other"]), key
        else:
            assert isinstance(value, str) and _placeholders(value) == _placeholders(english[key]), key
            assert value.strip(), key
        if lang != "en" and (lang, key) not in SAME_AS_ENGLISH:
            assert value != english[key], f"{lang}.{key} is still in English"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_file_carries_its_cldr_formatting_data(lang):
    data = json.loads((WIDGET / "locales" / f"{lang}.json").read_text(encoding="utf-8"))["_cldr"]
    symbols = Locale.parse(lang).number_symbols["latn"]
    assert (data["decimal"], data["group"]) == (symbols["decimal"], symbols["group"])
    assert len(data["months"]) == 12 and "{M}" in data["date"] and "{y}" in data["date"]
    assert re.fullmatch(r"[^#]*#[^#]*", data["percent"])


def test_the_armenian_file_carries_armenian_month_names_from_cldr():
    data = json.loads((WIDGET / "locales" / "hy.json").read_text(encoding="utf-8"))["_cldr"]
    months = Locale.parse("hy").months["format"]["abbreviated"]
    assert data["months"] == [months[m] for m in range(1, 13)]
    assert data["months"][10] == "նոյ" and data["decimal"] == ","
    assert data["date"] == "{y} թ. {M} {d}"  # CLDR's medium date, as Intl's dateStyle "medium"


def test_only_the_pages_locale_is_fetched_and_the_script_knows_every_language():
    script = (WIDGET / "reviews.js").read_text(encoding="utf-8")
    listed = re.search(r'const LANGS = "([a-z ]+)"', script).group(1).split()
    assert sorted(listed) == sorted(LANGUAGES)
    assert sorted(p.stem for p in (WIDGET / "locales").glob("*.json")) == sorted(LANGUAGES)


# --- the widget's config and the policy page -------------------------------------------------------

def test_widget_config(app, client):
    shop = make_shop(app, "Acme Outdoor", allow_rating_only=False)
    r = client.get(f"/api/v1/public/{shop.public_key}/widget-config")
    assert r.status_code == 200
    assert r.get_json() == {"name": "Acme Outdoor", "default_locale": "en",
                            "policy_url": f"http://reviews.test/policy/{shop.public_key}",
                            "allow_rating_only": False, "auto_publish_verified": True, "max_photos": 5,
                            "referrals_enabled": False, "loyalty_enabled": False,
                            "loyalty_review_points": {"review": 0, "photos": 0}, "incentives": []}
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.headers["Cache-Control"] == "public, max-age=300"


def test_widget_config_says_the_points_a_review_earns_whatever_its_stars(app, client):
    shop = make_shop(app, "Acme", loyalty={"enabled": True, "for_review": 50, "for_review_with_photos": 80})
    body = client.get(f"/api/v1/public/{shop.public_key}/widget-config").get_json()
    assert body["loyalty_enabled"] and body["loyalty_review_points"] == {"review": 50, "photos": 80}


def test_widget_config_links_the_shops_own_policy(app, client):
    shop = make_shop(app, "Acme", review_policy_url="https://acme.example/reviews-policy")
    body = client.get(f"/api/v1/public/{shop.public_key}/widget-config").get_json()
    assert body["policy_url"] == "https://acme.example/reviews-policy"


@pytest.mark.parametrize(("lang", "opening"), [("hy", "Կարծիք գրելու համար, անկախ աստղերից"),
                                               ("vi", "Khi viết đánh giá, dù chấm bao nhiêu sao"),
                                               ("xx", "For writing a review, whatever its stars")])
def test_widget_config_says_the_review_incentive_as_the_hosted_page_does(app, client, lang, opening):
    shop = make_shop(app, "Acme", incentives={
        "enabled": True, "for_review": {"offered": True, "kind": "percent", "value": "10"}})
    with app.app_context():
        said = incentives.disclosures(settings_of(shops.get_shop(shop.id)), lang)
    body = client.get(f"/api/v1/public/{shop.public_key}/widget-config?lang={lang}").get_json()
    assert body["incentives"] == said and len(said) == 1 and said[0].startswith(opening)


def test_widget_config_for_an_unknown_key_is_404(client):
    assert client.get("/api/v1/public/pk_nope/widget-config").status_code == 404


def test_policy_page_follows_the_shops_settings(app, client):
    shop = make_shop(app, "Acme <b>Outdoor</b>", auto_publish_verified=False, allow_rating_only=False,
                     staff_email_domains=["acme.example"], support_email="help@acme.example",
                     review_request_delay_days=10, review_request_trigger="delivered")
    r = client.get(f"/policy/{shop.public_key}?lang=en")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert "Acme &lt;b&gt;Outdoor&lt;/b&gt;" in html and "<b>Outdoor" not in html
    assert "After an order has been delivered, the customer receives an e-mail 10 days later" in html
    assert "Every review, including those from verified buyers, is checked by a moderator" in html
    assert "never rejected, hidden or delayed because of its star rating" in html
    assert "A review needs a few words of text" in html
    assert "we recognise staff by the e-mail addresses" in html
    assert "Write to help@acme.example." in html
    assert "<script" not in html and "style=" not in html


@pytest.mark.parametrize("query, header, lang, words", [
    ("?lang=de", "", "de", "Wie Bewertungen bei"),
    ("", "ru-RU,ru;q=0.9", "ru", "собирает и проверяет отзывы"),
    ("?lang=ar", "", "ar", "dir=\"rtl\""),
    ("?lang=xx", "xx", "en", "How reviews are collected"),
])
def test_policy_page_speaks_the_shoppers_language(app, client, query, header, lang, words):
    shop = make_shop(app, "Acme")
    html = client.get(f"/policy/{shop.public_key}{query}", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'lang="{lang}"' in html and words in html


def test_policy_page_one_day_is_singular(app, client):
    shop = make_shop(app, "Acme", review_request_delay_days=1, reminder_delay_days=1)
    html = client.get(f"/policy/{shop.public_key}?lang=ru").get_data(as_text=True)
    assert "через 1 день" in html
    html = client.get(f"/policy/{shop.public_key}?lang=en").get_data(as_text=True)
    assert "1 day later" in html


def test_policy_page_for_an_unknown_key_is_404(client):
    r = client.get("/policy/pk_unknown")
    assert r.status_code == 404 and "does not exist" in r.get_data(as_text=True)


# --- the demo shop ----------------------------------------------------------------------------------

def test_demo_pages_say_how_to_create_the_demo_shop(client):
    r = client.get("/demo")
    assert r.status_code == 404 and "reviews-service demo" in r.get_data(as_text=True)


def test_demo_pages_embed_the_widget_under_a_strict_csp(app, client):
    with app.app_context():
        info = demo_seed.ensure_demo_shop()
    page = client.get("/demo")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert f'<div data-reviews-product="trail-runner-2" data-reviews-key="{info["public_key"]}"' in html
    assert '/widget/v1/reviews.js" async></script>' in html
    assert "style=" not in html and "<style" not in html
    collection = client.get("/demo/collection").get_data(as_text=True)
    assert collection.count('class="rating-stars" data-reviews-stars=') == 4 and "/widget/v1/stars.js" in collection
    thanks = client.get("/demo/thank-you").get_data(as_text=True)
    assert 'data-reviews-token="' in thanks and "DEMO-2001" in thanks
    assert client.get("/demo/img/merino-tee.svg").headers["Content-Type"] == "image/svg+xml"
    assert client.get("/demo/demo.css").mimetype == "text/css"
    assert client.get("/demo/products/nope").status_code == 404
    assert client.get("/demo/thank-you?order=someone-elses").status_code == 404


def test_demo_seed_publishes_reviews_with_photos_labels_and_replies(app, client):
    with app.app_context():
        info = demo_seed.ensure_demo_shop()
    body = client.get(f"/api/v1/public/{info['public_key']}/products/trail-runner-2/reviews?limit=50").get_json()
    reviews = body["reviews"]
    assert len(reviews) >= 12
    assert {label for r in reviews for label in r["labels"]} == {"verified_buyer", "incentivized", "staff",
                                                                  "imported"}
    assert sum(len(r["photos"]) for r in reviews) >= 4
    assert sum(r["reply"] is not None for r in reviews) >= 2
    assert {r["rating"] for r in reviews} == {1, 2, 3, 4, 5}
    rating = client.get(f"/api/v1/public/{info['public_key']}/products/trail-runner-2/rating").get_json()
    assert rating["count"] == len(reviews)
