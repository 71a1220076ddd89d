"""The incentive said openly before a review is written: in the review request e-mail (through a
real SMTP server) and on the hosted review page, in the customer's language; nothing said while
the shop offers nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from reviews_service import clock, i18n
from tests.helpers import order_event, post_order, set_settings
from tests.outbox.conftest import parse, run_worker, smtp  # noqa: F401

OFFERS = {"enabled": True, "source": "pool",
          "for_review": {"offered": True, "kind": "amount", "value": "5", "currency": "EUR"},
          "for_photo": {"offered": True, "kind": "percent", "value": "15"}}
SAID = {"hy": ("Կարծիք գրելու համար, անկախ աստղերից", "«խրախուսված»"),
        "vi": ("Khi viết đánh giá, dù chấm bao nhiêu sao", "“Có ưu đãi”"),
        "en": ("For writing a review, whatever its stars", "“incentivised”")}


@pytest.fixture
def app_config(smtp):  # noqa: F811
    return {"SMTP_URL": smtp.url}


def request_email(app, client, shop, smtp, lang: str):  # noqa: F811
    set_settings(client, shop, review_request_delay_days=0)
    order = post_order(client, shop, customer={"email": f"{lang}@example.com", "name": "Ana Buyer", "locale": lang})
    order_event(client, shop, order["id"], "fulfilled")
    clock.travel(timedelta(hours=1))
    run_worker(app)
    [message] = [parse(raw) for raw in smtp.messages if parse(raw)["To"] == f"{lang}@example.com"]
    return message


@pytest.mark.parametrize("lang", ["hy", "vi", "en"])
def test_request_email_and_page_say_the_reward_before_the_review(app, client, shop, smtp, lang):  # noqa: F811
    set_settings(client, shop, incentives=OFFERS)
    message = request_email(app, client, shop, smtp, lang)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    opening, label = SAID[lang]
    for body in (text, html):
        assert opening in body and label in body
    link = re.search(r"https?://\S+/review/[^\s\"<#]+", text).group(0)

    page = client.get("/review/" + link.split("/review/", 1)[1]).get_data(as_text=True)
    assert opening in page and label in page and page.index(opening) < page.index("<form")


def test_nothing_said_while_the_shop_offers_nothing(app, client, shop, smtp):  # noqa: F811
    message = request_email(app, client, shop, smtp, "en")
    assert SAID["en"][0] not in message.get_body(("plain",)).get_content()


LABEL_QUOTED = re.compile(r"[“«„‘「]\s*([^”»“’」]+?)\s*[”»“’」]")
WIDGET_LOCALES = Path(__file__).resolve().parents[2] / "static" / "widget" / "locales"


@pytest.mark.parametrize("lang", sorted(i18n.SUPPORTED))
def test_what_the_reviewer_is_told_the_label_is_the_label_shown(lang):
    """The request e-mail, the form and the reward's e-mail name the label in quotes; it is the word
    the widget, the fragment and the policy page show next to such a review."""
    shown = json.loads((WIDGET_LOCALES / f"{lang}.json").read_text(encoding="utf-8"))["label_incentivized"]
    for key in ("incentive.for_review", "incentive.for_photo", "email.review_incentive.label"):
        quoted = LABEL_QUOTED.findall(i18n.translate(lang, key, offer="X"))
        assert quoted and quoted[-1].casefold() == shown.casefold(), (key, quoted, shown)
