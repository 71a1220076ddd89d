"""Every admin page, walked in each of the admin's languages: no visible text may be left in English.

A page's visible text is its text nodes (the SVG charts' too) and the attributes a person reads or
hears (aria-label, title, alt, placeholder, the confirmations admin.js shows). A Latin-letter word
fails unless the language's own translations use it (a word a translation kept from its English
msgid does not count) or it is a brand name or loanword below; what the test itself created (shop,
product, reviews, names) is data, not the admin's words. So a string nobody marked, a msgid left
untranslated, or a label built from a setting's name all fail here, in Vietnamese too."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from reviews_service import i18n
from reviews_service.collecting import service as collecting
from reviews_service.extensions import db
from reviews_service.outbox.models import OutboxMessage
from reviews_service.shops import service as shops
from tests.factories import make_product, make_shop
from tests.helpers import edit_token, post_order, set_settings

from .conftest import admin_for, csrf_token, make_review
from .test_dashboard_nps import answer_survey

LANGS = ("en", "hy", "ka", "lo", "vi")
# Brand names, standards and loanwords every language keeps as they are.
LOANWORDS = {"json", "api", "csv", "smtp", "id", "url", "urls", "html", "ip", "sku", "iana", "iso", "eur", "utc",
             "post", "readme", "judge", "nps", "yotpo", "okendo", "shopify", "mb", "english", "handle", "woocommerce", "wordpress",
             "en", "de", "pt", "br", "hy"}  # language tags in the settings' examples
# Other products' own words, which a user looks for as they are: Shopify's and WooCommerce's menus,
# a sample product the connectors room names.
PHRASES = ("Shopify Product Reviews", "Reply-To", "Tiếng Việt", "Settings > Notifications > Webhooks",
           "WooCommerce > Settings > Advanced > Webhooks", "WP REST API Integration v3", "Active",
           "“Your webhooks will be signed with …”", "“Connection test (sample product)”")
# The test's own data: shop, product, reviews, names, a webhook's description, and the labels the
# shops service gives the keys it makes by itself.
DATA = ("Zorvik Qeld", "Qelta Vorn", "Xyvo qarn", "Blorvat zinnek dravo", "Ani Hakobyan", "Gratzo vel",
        "Vexto", "created with the shop", "rotated", "Mirza", "test")
SKIPPED = {"script", "style", "code", "kbd", "pre", "textarea"}
SPOKEN = ("aria-label", "title", "alt", "placeholder", "data-confirm", "data-selected-template", "data-copied")
_MACHINE = re.compile(r"\S*[/@_{}#=]\S*|\S*\w\.\w\S*")  # URLs, addresses, paths, events, file names
_WORD = re.compile(r"[^\W\d_]+")  # whole words of any script; only those in plain Latin letters count
_LATIN = re.compile(r"[A-Za-z]{2,}")


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping = 0  # depth inside code, pre, script... or an element in another language
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        skip = tag in SKIPPED or "lang" in a and tag != "html"
        if tag not in ("input", "img", "br", "meta", "link", "rect", "line", "circle", "polyline"):
            self.stack.append((tag, skip))
            self.skipping += skip
        if not self.skipping and not skip:
            self.texts += [a[name] for name in SPOKEN if a.get(name)]

    def handle_endtag(self, tag):
        while self.stack:
            name, skip = self.stack.pop()
            self.skipping -= skip
            if name == tag:
                break

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data.strip())


def visible_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.texts


def _words(texts) -> set[str]:
    return {w.lower() for text in texts for w in _WORD.findall(_MACHINE.sub(" ", text)) if _LATIN.fullmatch(w)}


def _catalog(lang: str):
    with (i18n.TRANSLATIONS / lang / "LC_MESSAGES" / "admin.po").open("rb") as f:
        return read_po(f, locale=lang)


def _own_words(lang: str) -> set[str]:
    """The words of the language's translations, less any word a translation kept from its English
    source (so an English word cannot pass as the language's own by being left in a translation)."""
    own = set()
    for m in _catalog(lang):
        if m.id:
            sources, forms = ([m.id], [m.string]) if isinstance(m.id, str) else (m.id, m.string)
            own |= _words(forms) - _words(sources)
    cldr = Locale.parse(lang)  # dates: CLDR's month names (Vietnamese "thg 1")
    return own | _words(name for width in cldr.months["format"].values() for name in width.values())


def english_left(lang: str, html: str, data: tuple[str, ...]) -> list[str]:
    """The visible texts of a page that read as English in `lang`."""
    own = _own_words(lang)
    found = []
    for text in visible_texts(html):
        for phrase in (*data, *PHRASES, *DATA):
            text = text.replace(phrase, " ")
        words = _words([text]) - LOANWORDS
        wrong = words - own
        if wrong:
            found.append(f"{text!r}: {sorted(wrong)}")
    return found


@pytest.fixture
def world(app):
    """A shop with reviews in every state, a reported one, a reply (an e-mail and a webhook in the
    outbox), a webhook endpoint, rotated keys; its owner, signed in."""
    shop = make_shop(app, "Zorvik Qeld", origins=["https://zorvik.example"])
    make_product(app, shop, "zq-1", "Qelta Vorn")
    review = {"product": "zq-1", "title": "Xyvo qarn", "body": "Blorvat zinnek dravo.", "name": "Ani Hakobyan"}
    pending = make_review(app, shop, photos=1, **review)
    published = make_review(app, shop, status="published", email="ani@example.com", rating=2, **review)
    make_review(app, shop, status="rejected", reason="spam", rating=1, **review)
    with app.app_context():
        collecting.report(shops.get_shop(shop.id), published, "personal_data", "Mirza",
                          collecting.Visitor("reporter", "ip"))
    api = app.test_client()  # a survey answer: the dashboard draws its NPS trend
    set_settings(api, shop, survey_enabled=True, review_request_delay_days=0, support_email="help@zorvik.example")
    answer_survey(app, api, shop, 9, 1)
    owner = admin_for(app, shop, "owner")
    owner.post(f"{owner.base}/webhooks", {"url": "https://hooks.zorvik.example/in", "events": "*",
                                          "description": "Vexto"})
    owner.post(f"{owner.base}/reviews/{published}/reply", {"body": "Gratzo vel."})
    # The 2-star review's thread in the inbox, answered privately (a private reply in the outbox).
    owner.post(f"{owner.base}/reviews/{published}/private-reply", {"body": "Gratzo vel."})
    owner.post(f"{owner.base}/keys/rotate")
    # The reviewers' edits: one changed in place before publication (its history tells old and new),
    # one of the published (unverified) review that the policy holds for the queue's Edits tab.
    for review_id, change in ((pending, {"rating": 3, "body": "Gratzo vel."}),
                              (published, {"rating": 5, "body": "Xyvo qarn"})):
        token = edit_token(app, api, shop, review_id)
        assert api.put(f"{shop.public}/my-review", json={"token": token, **change}).status_code == 200
    # The loyalty programme: a member with an order's points (a tier named by the shop) and points
    # added by hand, so that its numbers, its members and that member's ledger are walked.
    set_settings(api, shop, loyalty={"enabled": True, "point_value": "0.05", "tiers": [
        {"id": "first", "name": "Vexto", "threshold": 0}]})
    post_order(api, shop, customer={"email": "ani@example.com", "name": "Ani Hakobyan", "locale": "en"},
               total="40.00")
    owner.post(f"{_member_page(owner)}/adjustments", {"points": "25", "reason": "Gratzo vel."})
    with app.app_context():
        messages = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.shop_id == shop.id)).all()
        subjects = tuple(m.payload.get("subject") for m in messages if m.kind == "email")
        email = next(m.id for m in messages if m.kind == "email")
    return owner, pending, published, email, subjects


def _pages(owner, pending, published, email):
    base = owner.base
    return [f"{base}/queue", f"{base}/queue/edits", f"{base}/queue?status=published", f"{base}/queue?status=rejected",
            f"{base}/queue?status=&reported=yes", f"{base}/reviews/{pending}", f"{base}/reviews/{published}",
            f"{base}/dashboard", f"{base}/dashboard?weeks=4", f"{base}/settings", f"{base}/keys",
            f"{base}/webhooks", f"{base}/referrals", f"{base}/outbox", f"{base}/outbox?status=pending",
            f"{base}/outbox/{email}", f"{base}/transfer", f"{base}/connections", "/admin/account", "/admin/shops",
            f"{base}/reviews/no-such-review", f"{base}/inbox", f"{base}/inbox?status=answered",
            f"{base}/inbox?status=closed", _thread_page(owner), f"{base}/loyalty", _member_page(owner),
            f"{base}/loyalty/settings"]


def _member_page(owner) -> str:
    """The loyalty member's page (their ledger and the adjustment form), found on the members' list."""
    html = owner.get(f"{owner.base}/loyalty").get_data(as_text=True)
    return re.search(r'href="(/admin/shops/[^"]+/loyalty/customers/\d+)"', html).group(1)


def _thread_page(owner) -> str:
    """The answered thread's page, found on the inbox page as a moderator finds it."""
    html = owner.get(f"{owner.base}/inbox?status=answered").get_data(as_text=True)
    return re.search(r'href="(/admin/shops/[^"]+/inbox/thr_[^"]+)"', html).group(1)


@pytest.mark.parametrize("lang", LANGS)
def test_every_admin_page_speaks_the_users_language(app, world, lang):
    owner, pending, published, email, subjects = world
    page = owner.get("/admin/account").get_data(as_text=True)
    chosen = owner.client.post("/admin/account/language", data={"language": lang, "csrf_token": csrf_token(page)},
                               follow_redirects=True)
    left = {"/admin/account (after choosing)": english_left(lang, chosen.get_data(as_text=True), subjects)
            if lang != "en" else []}
    for path in _pages(owner, pending, published, email):
        answer = owner.get(path)
        html = answer.get_data(as_text=True)
        assert answer.status_code == (404 if path.endswith("no-such-review") else 200), path
        assert f'<html lang="{lang}">' in html, path
        if path.endswith("/dashboard"):  # the NPS trend is among the charts walked
            assert ">+100</text>" in html, path
        if lang != "en":
            left[path] = english_left(lang, html, subjects)
    login = app.test_client().get("/admin/login", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in login
    if lang != "en":
        left["/admin/login"] = english_left(lang, login, subjects)
    left = {path: texts for path, texts in left.items() if texts}
    assert not left, "\n".join(f"{path}: {texts}" for path, texts in left.items())


def test_the_check_finds_english_left_in_a_page():
    """The walk above is only as good as its eye: an English heading in an Armenian page is found,
    the test's own data and the loanwords are not."""
    html = ('<html lang="hy"><h1>Moderation queue</h1><p title="Zorvik Qeld">Կարծիքներ JSON</p>'
            '<p>Ani Hakobyan</p><code>reviews-service worker</code><button aria-label="Close">×</button></html>')
    assert english_left("hy", html, ()) == ["'Moderation queue': ['moderation', 'queue']",
                                            "'Close': ['close']"]
    assert english_left("vi", '<p>Hàng đợi kiểm duyệt</p><p>Settings saved.</p>', ()) == [
        "'Settings saved.': ['saved', 'settings']"]
