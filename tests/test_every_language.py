"""Every shopper-facing surface in every widget language: one customer's whole path (the review
request and the reminder e-mails, the hosted review page with its error summary and its thanks
(for reviews, and for private feedback sent alone),
the review's confirmation e-mail and the reviewer's own page (edit, errors, saved, withdrawn),
the error pages, the unsubscribe page, the shop's reply notice and its private reply, the referral e-mails: the friend's
offer, the reward, the invitation to share; the review incentive's thank-you; the loyalty programme's
points earned, tier reached, reward ready and points expiring soon, and the points a review earned on
the hosted page's thanks; and the policy page),
walked through HTTP and a real SMTP server once in English and once in each language. A piece of
text that reads the same as in English (other than the shop's and the customer's own words and a
short list of loanwords) is a string left untranslated; so is a catalog entry that is missing,
empty or fuzzy. The fragment and the badge have their own walk, in tests/ratings/test_languages.py."""

from __future__ import annotations

import re
import string
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po

from reviews_service import clock, i18n
from reviews_service.extensions import db
from tests.admin.conftest import admin_for
from tests.conftest import _make_sqlite_app
from tests.factories import make_shop, order_payload
from tests.helpers import order_event, set_settings
from tests.outbox.conftest import parse, run_worker
from tests.outbox.servers import SmtpServer
from tests.referrals.conftest import PROGRAM, browser, code_of, load_coupons, order

LANGUAGES = ["ar", "de", "en", "es", "fr", "hy", "it", "ja", "ka", "lo", "nl", "pl", "pt", "ru", "tr",
             "uk", "vi", "zh"]
# The words the test itself brings (the shop's, the products', the customers', the reviewers'), and
# what may read alike in any language.
DATA = {"Shop A", "Trail shoes", "Ani Hakobyan", "Ani", "Bo Lind", "Bo", "Cy Park", "Cy", "Carl Friend", "Fits well.",
        "Thank you, Ani!", "FRIEND10", "REWARD-1", "shop-a.example", "10% off your first order",
        "10 EUR off your next order", "THANKS-1", "Dee Quinn", "Dee", "Fay Moss", "Fay", "Silver", "Free returns",
        "LOYAL-1"}
# Loanwords, and the language switcher's names, each in its own language.
LOANWORDS = {"OK", "E-mail", "Email"} | {i18n.native_name(code) for code in i18n.SUPPORTED}
NUMBERISH = re.compile(r"[\d\s.,:;%()★☆✓·|/#+\-–—\u066b\u066c\u200f\u061c\u00a0]*")
LINK = re.compile(r"https?://\S+/review/[^\s\"'<>]+")
UNSUBSCRIBE = re.compile(r"https?://\S+/unsubscribe/[^\s\"'<>]+")
EDIT_LINK = re.compile(r"https?://\S+/review/edit/[^\s\"'<>]+")


class Visible(HTMLParser):
    """What a reader sees or hears on a page: text nodes (not scripts or styles), button values,
    placeholders, alt texts and aria-labels; and the root's lang and dir."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.root: dict[str, str] = {}
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.root = attributes
        if tag in ("script", "style"):
            self._hidden += 1
        for name in ("aria-label", "alt", "placeholder", "title"):
            if attributes.get(name):
                self.pieces.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.pieces.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.pieces.append(data)


def shown(pieces) -> set[str]:
    # "> " quotes the customer's own words (a private reply's text part).
    tidy = {" ".join(p.split()).removeprefix("- ").removeprefix("* ").removeprefix("> ") for p in pieces}
    return {p for p in tidy if p and not NUMBERISH.fullmatch(p) and not LINK.fullmatch(p)
            and not UNSUBSCRIBE.fullmatch(p) and "@" not in p}


def page(response, lang: str) -> set[str]:
    html = response.get_data(as_text=True)
    seen = Visible(html)
    assert seen.root.get("lang") == lang, (response.request.path, seen.root)
    assert seen.root.get("dir") == ("rtl" if lang == "ar" else "ltr")
    return shown(seen.pieces)


def mail(raw: bytes, lang: str) -> tuple[set[str], str]:
    message = parse(raw)
    assert message["Content-Language"] == lang, message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return shown([message["Subject"], *text.splitlines(), *Visible(html).pieces]), text


def walk(app, client, shop, smtp, lang: str) -> dict[str, set[str]]:
    """Everything one Armenian (or English, or Lao...) customer can meet, surface by surface."""
    seen: dict[str, set[str]] = {}
    customer = {"email": "ani@example.com", "name": "Ani Hakobyan", "locale": lang}
    set_settings(client, shop, review_request_delay_days=0, support_email="help@shop-a.example")
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"referrals": {
        **PROGRAM, "email_friend_offer": True}}})
    assert answer.status_code == 200, answer.json

    # The review request, then the hosted page it links to: empty, with its error summary, thanked.
    first = client.post("/api/v1/orders", headers=shop.headers, json=order_payload("ani-1", email="ani@example.com", customer=customer))
    assert first.status_code == 201, first.json
    first = first.json
    order_event(client, shop, "ani-1", "fulfilled")
    run_worker(app)
    seen["email.review_request"], text = mail(smtp.messages[-1], lang)
    link = urlsplit(LINK.search(text).group(0)).path
    seen["review_page"] = page(client.get(link), lang)
    html = client.get(link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    refused = client.post(link, data={"csrf_token": csrf}, content_type="multipart/form-data")
    assert refused.status_code == 422
    seen["review_page.errors"] = page(refused, lang)
    without_csrf = client.post(link, data={"rating-0": "4"}, content_type="multipart/form-data")
    assert without_csrf.status_code == 400
    seen["error.csrf"] = page(without_csrf, lang)
    sent = client.post(link, data={"csrf_token": csrf, "rating-0": "5", "body-0": "Fits well.",
                                   "display_name": "Ani"}, content_type="multipart/form-data")
    assert sent.status_code == 303, sent.get_data(as_text=True)
    seen["thanks"] = page(client.get(sent.headers["Location"]), lang)

    # The confirmation of the review, and the reviewer's own page it links to: the form, its errors,
    # an edit saved, and the first step of withdrawing (the second comes last, below).
    run_worker(app)
    seen["email.review_received"], text = mail(smtp.messages[-1], lang)
    edit_link = urlsplit(EDIT_LINK.search(text).group(0)).path
    seen["edit_page"] = page(client.get(edit_link), lang)
    edit_form = client.get(edit_link).get_data(as_text=True)
    edit_csrf = re.search(r'name="csrf_token" value="([^"]+)"', edit_form).group(1)
    refused = client.post(edit_link, data={"csrf_token": edit_csrf, "rating": "", "body": "Fits well."})
    assert refused.status_code == 422
    seen["edit_page.errors"] = page(refused, lang)
    saved = client.post(edit_link, data={"csrf_token": edit_csrf, "rating": "4", "body": "Fits well."})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    seen["edit_page.saved"] = page(client.get(saved.headers["Location"]), lang)
    withdraw_link = re.search(r'action="(/review/withdraw/[^"?]+)', edit_form).group(1)
    seen["edit_page.confirm"] = page(client.post(withdraw_link, data={"csrf_token": edit_csrf}), lang)

    # The shop's public reply, from the admin.
    [review] = client.get("/api/v1/reviews", headers=shop.headers).json["reviews"]
    moderator = admin_for(app, shop, "moderator", f"mod-{lang}@shop-a.example")
    assert moderator.post(f"{moderator.base}/reviews/{review['id']}/reply",
                          {"body": "Thank you, Ani!"}).status_code == 302
    run_worker(app)
    seen["email.reply"], _ = mail(smtp.messages[-1], lang)

    # The shop's private reply to the same review, from the review's page: by e-mail, quoting it.
    assert moderator.post(f"{moderator.base}/reviews/{review['id']}/private-reply",
                          {"body": "Thank you, Ani!"}).status_code == 302
    run_worker(app)
    assert parse(smtp.messages[-1])["Reply-To"] == "help@shop-a.example"
    seen["email.private_reply"], _ = mail(smtp.messages[-1], lang)

    # A friend asks for the offer by e-mail; the friend orders with Ani's code; Ani is rewarded.
    code = code_of(client, shop, first)
    friend = browser(client, shop)
    asked = client.post(f"{shop.public}/referrals/offer-email", **friend._kw(),
                        json={"code": code, "email": "carl@example.com", "locale": lang})
    assert asked.status_code == 202, asked.json
    run_worker(app)
    seen["email.referral_friend_offer"], _ = mail(smtp.messages[-1], lang)
    order(client, shop, "carl@example.com", "Carl Friend", code=code, order_id="carl-1")
    load_coupons(client, shop, "REWARD-1")
    clock.travel(timedelta(days=31))
    before = len(smtp.messages)
    run_worker(app)
    [reward] = [raw for raw in smtp.messages[before:] if parse(raw)["To"] == "ani@example.com"]
    seen["email.referral_reward"], _ = mail(reward, lang)

    # A second customer who does not review: the reminder, then unsubscribing from its footer.
    second = client.post("/api/v1/orders", headers=shop.headers, json=order_payload(
        "bo-1", email="bo@example.com", customer={**customer, "email": "bo@example.com", "name": "Bo Lind"}))
    assert second.status_code == 201, second.json
    order_event(client, shop, "bo-1", "fulfilled")
    run_worker(app)
    clock.travel(timedelta(days=8))
    run_worker(app)
    reminder = smtp.messages[-1]
    assert parse(reminder)["To"] == "bo@example.com"
    seen["email.reminder"], text = mail(reminder, lang)
    unsubscribe = urlsplit(UNSUBSCRIBE.search(text).group(0)).path
    seen["unsubscribe"] = page(client.get(unsubscribe), lang)
    asked = client.get(unsubscribe).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', asked)
    done = client.post(unsubscribe, data={"csrf_token": csrf.group(1)} if csrf else {})
    seen["unsubscribe.done"] = page(done, lang)

    # A third customer, who accepts marketing: the invitation to share their link, after delivery.
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"referrals": {
        **PROGRAM, "email_friend_offer": True, "invitation_enabled": True, "invitation_delay_days": 1}}})
    assert answer.status_code == 200, answer.json
    third = client.post("/api/v1/orders", headers=shop.headers, json=order_payload(
        "cy-1", email="cy@example.com",
        customer={**customer, "email": "cy@example.com", "name": "Cy Park", "accepts_marketing": True}))
    assert third.status_code == 201, third.json
    order_event(client, shop, "cy-1", "delivered")
    before = len(smtp.messages)
    clock.travel(timedelta(days=2))
    run_worker(app)
    [invitation] = [raw for raw in smtp.messages[before:]
                    if parse(raw)["To"] == "cy@example.com" and "?ref=" in parse(raw).get_body(("plain",)).get_content()]
    seen["email.referral_invitation"], _ = mail(invitation, lang)

    # A fourth customer reviews while the shop rewards reviews: the code comes by e-mail, as a
    # thank-you for writing a review (at 2 stars; it would be the same at 5).
    set_settings(client, shop, incentives={"enabled": True, "source": "pool",
                                           "for_review": {"offered": True, "kind": "percent", "value": "10"}})
    load_coupons(client, shop, "THANKS-1", kind="review_incentive")
    fourth = client.post("/api/v1/orders", headers=shop.headers, json=order_payload(
        "dee-1", email="dee@example.com", customer={**customer, "email": "dee@example.com", "name": "Dee Quinn"}))
    assert fourth.status_code == 201, fourth.json
    reviewed = client.post(f"{shop.public}/products/sku-1/reviews", json={
        "rating": 2, "body": "Fits well.", "token": fourth.json["widget_token"], "locale": lang})
    assert reviewed.status_code == 201, reviewed.json
    before = len(smtp.messages)
    run_worker(app)
    [thanks] = [raw for raw in smtp.messages[before:] if parse(raw)["To"] == "dee@example.com"
                and "THANKS-1" in parse(raw).get_body(("plain",)).get_content()]
    seen["email.review_incentive"], _ = mail(thanks, lang)

    # A fifth customer answers the review request with private feedback alone, no review: the
    # thank-you is for a message that went to the shop only.
    fifth = client.post("/api/v1/orders", headers=shop.headers, json=order_payload(
        "eve-1", email="eve@example.com", customer={**customer, "email": "eve@example.com", "name": "Eve Moss"}))
    assert fifth.status_code == 201, fifth.json
    request_link = urlsplit(order_event(client, shop, "eve-1", "fulfilled")["review_request"]["url"]).path
    form = client.get(request_link).get_data(as_text=True)
    alone = client.post(request_link, content_type="multipart/form-data", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1), "display_name": "",
        "private_message": "The box was damaged."})
    assert alone.status_code == 303, alone.get_data(as_text=True)
    seen["thanks.private"] = page(client.get(alone.headers["Location"]), lang)

    # Ani withdraws her review after all: the edit page's second step.
    withdrawn = client.post(withdraw_link, data={"csrf_token": edit_csrf, "confirm": "yes"})
    assert withdrawn.status_code == 303
    seen["edit_page.withdrawn"] = page(client.get(withdrawn.headers["Location"]), lang)

    # A sixth customer collects points: the day's points earned, the tier the order reached, the
    # reward's code, and the reminder before the points expire.
    loyalty = {"enabled": True, "currency": "EUR", "point_value": "0.05", "points_per_unit": "1", "hold_days": 14,
               "expiry_months": 12, "tiers": [{"id": "bronze", "name": "Bronze", "threshold": 0},
                                              {"id": "silver", "name": "Silver", "threshold": 100, "multiplier": "1.5",
                                               "perks": "Free returns"}],
               "rewards": [{"id": "five-off", "points": 50, "kind": "amount", "value": "5.00", "currency": "EUR"}]}
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"loyalty": loyalty}})
    assert answer.status_code == 200, answer.json
    body = order_payload("fay-1", email="fay@example.com", total="120.00",
                         customer={**customer, "email": "fay@example.com", "name": "Fay Moss"})
    body["items"][0]["price"] = "120.00"
    sixth = client.post("/api/v1/orders", headers=shop.headers, json=body)
    assert sixth.status_code == 201, sixth.json
    before = len(smtp.messages)
    run_worker(app)
    fay = [raw for raw in smtp.messages[before:] if parse(raw)["To"] == "fay@example.com"]
    [earned] = [raw for raw in fay if "fay-1" in parse(raw).get_body(("plain",)).get_content()]
    seen["email.loyalty_points_earned"], _ = mail(earned, lang)
    [tier] = [raw for raw in fay if "Free returns" in parse(raw).get_body(("plain",)).get_content()]
    seen["email.loyalty_tier_reached"], _ = mail(tier, lang)
    assert client.post("/api/v1/loyalty/rewards/five-off/coupons", headers=shop.headers,
                       json={"codes": ["LOYAL-1"]}).status_code == 201
    clock.travel(timedelta(days=15))
    run_worker(app)  # the order's points released from their hold
    redeemed = client.post(f"/api/v1/loyalty/customers/{sixth.json['customer_id']}/redemptions",
                           headers=shop.headers, json={"reward": "five-off"})
    assert redeemed.status_code == 201, redeemed.json
    before = len(smtp.messages)
    run_worker(app)
    [reward] = [raw for raw in smtp.messages[before:] if parse(raw)["To"] == "fay@example.com"]
    seen["email.loyalty_reward_ready"], _ = mail(reward, lang)
    clock.travel(timedelta(days=340))
    before = len(smtp.messages)
    run_worker(app)
    [expiring] = [raw for raw in smtp.messages[before:] if parse(raw)["To"] == "fay@example.com"]
    seen["email.loyalty_points_expiring"], _ = mail(expiring, lang)
    # Points offered for a review: Fay reviews a later order on the hosted page, whose thanks say them.
    answer = client.patch("/api/v1/shop", headers=shop.headers,
                          json={"settings": {"loyalty": {**loyalty, "for_review": 20}}})
    assert answer.status_code == 200, answer.json
    later = client.post("/api/v1/orders", headers=shop.headers, json=order_payload(
        "fay-2", email="fay@example.com", customer={**customer, "email": "fay@example.com", "name": "Fay Moss"}))
    assert later.status_code == 201, later.json
    review_link = f"/review/{later.json['widget_token']}"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get(review_link).get_data(as_text=True)).group(1)
    sent = client.post(review_link, data={"csrf_token": csrf, "rating-0": "4", "body-0": "Fits well.",
                                          "display_name": "Fay"}, content_type="multipart/form-data")
    assert sent.status_code == 303, sent.get_data(as_text=True)
    seen["thanks.points"] = page(client.get(sent.headers["Location"]), lang)
    assert any("20" in piece for piece in seen["thanks.points"]), seen["thanks.points"]
    answer = client.patch("/api/v1/shop", headers=shop.headers, json={"settings": {"loyalty": {"enabled": False}}})
    assert answer.status_code == 200, answer.json

    # Pages for a link that is no link, and for one that has expired.
    seen["error.not_found"] = page(client.get("/review/not-a-token", headers={"Accept-Language": lang}), lang)
    clock.travel(timedelta(days=200))
    seen["error.expired"] = page(client.get(link), lang)
    seen["policy"] = page(client.get(f"/policy/{shop.public_key}?lang={lang}"), lang)
    return seen


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


CONFIG = {"PUBLIC_WRITE_LIMIT": "10000 per minute", "DIGEST_HOUR": 0}
_ENGLISH: dict[str, set[str]] = {}


@pytest.fixture
def app_config(smtp):
    return {**CONFIG, "SMTP_URL": smtp.url}


@pytest.fixture
def english(tmp_path, sqlite_template, smtp) -> dict[str, set[str]]:
    """The English walk, in an app of its own, once per test process."""
    if not _ENGLISH:
        folder = tmp_path / "english"
        folder.mkdir()
        app = _make_sqlite_app(folder, sqlite_template, **CONFIG, SMTP_URL=smtp.url)
        shop = make_shop(app, "Shop A", origins=["https://shop-a.example"])
        _ENGLISH.update(walk(app, app.test_client(), shop, smtp, "en"))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        clock.reset()
    return _ENGLISH


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_every_surface_speaks_the_language(app, client, shop, smtp, english, lang):
    seen = walk(app, client, shop, smtp, lang)

    assert seen.keys() == english.keys()
    untranslated = {surface: sorted((seen[surface] & english[surface]) - DATA - LOANWORDS)
                    for surface in seen}
    assert {surface: left for surface, left in untranslated.items() if left} == {}
    for surface in seen:  # nothing left out: a language may say two things alike, not fewer
        assert len(seen[surface]) >= len(english[surface] - DATA) - 1, surface


def _catalog(lang: str, domain: str):
    path = i18n.TRANSLATIONS / lang / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path} is missing"
    with path.open("rb") as f:
        return read_po(f, locale=lang)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("domain", ["messages", "widget"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_is_in_every_catalog_translated_and_not_fuzzy(lang, domain):
    """A plural entry in English is one in every language, with a translation for each of the
    language's Plural-Forms, each with the English plural's placeholders (its last, "other", all of them)."""
    english = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in _catalog("en", domain) if m.id}
    catalog = _catalog(lang, domain)
    entries = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}

    assert sorted(english.keys() - entries.keys()) == []
    empty = [key for key, m in entries.items()
             if not all(m.string if isinstance(m.string, tuple) else [m.string])]
    assert empty == []
    assert [key for key, m in entries.items() if m.fuzzy] == []
    for key, source in english.items():
        entry = entries[key]
        assert entry.pluralizable == source.pluralizable, key
        if source.pluralizable:
            assert entry.id == source.id and len(entry.string) == catalog.num_plurals, key
            wanted = _placeholders(source.id[1])
            # A form for one number only (Arabic's zero, one, two) may say it in words, not digits.
            for form in entry.string:
                assert _placeholders(form) <= wanted and len(wanted - _placeholders(form)) <= 1, (key, form)
            assert _placeholders(entry.string[-1]) == wanted, key
