"""The moderators' digest counts the waiting reviews the way the shop's language counts them, through
a real SMTP server: "1 review is waiting", "2 reviews are waiting"; Russian and Polish one, few and
many (1 отзыв, 2 отзыва, 5 отзывов); Arabic's forms for one, two, three to ten and eleven to 99."""

from __future__ import annotations

import pytest

from reviews_service.shops import service as shops
from tests.factories import make_review
from tests.helpers import set_settings

from .conftest import parse, run_worker


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url, "DIGEST_HOUR": 0}


def digest(app, client, shop, smtp, lang: str, pending: int) -> tuple[str, str, str]:
    """The digest a moderator of a shop writing `lang` gets with `pending` reviews waiting: its
    subject, plain text and HTML."""
    set_settings(client, shop, default_locale=lang)
    with app.app_context():
        shops.create_user("mod@shop-a.example", "correct horse battery staple", shop=shops.get_shop(shop.id))
    for _ in range(pending):
        make_review(app, shop)
    run_worker(app)
    # Each reviewer gets their review's confirmation; the moderator, the digest.
    [message] = [parse(raw) for raw in smtp.messages if parse(raw)["To"] == "mod@shop-a.example"]
    assert message["Content-Language"] == lang
    return (message["Subject"], message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


@pytest.mark.parametrize(("pending", "subject", "heading", "intro"), [
    (1, "1 review is waiting for moderation", "1 review is waiting",
     "1 review for Shop A is waiting for a moderator. Shoppers see it once it is approved."),
    (2, "2 reviews are waiting for moderation", "2 reviews are waiting",
     "2 reviews for Shop A are waiting for a moderator. Shoppers see them once they are approved."),
])
def test_the_english_digest_says_review_for_one_and_reviews_for_two(app, client, shop, smtp, pending, subject,
                                                                    heading, intro):
    got_subject, text, html = digest(app, client, shop, smtp, "en", pending)

    assert got_subject == subject
    for body in (text, html):
        assert heading in body and intro in body
        assert "1 reviews" not in body and "reviews is" not in body and "review are" not in body


@pytest.mark.parametrize(("lang", "pending", "subject", "intro"), [
    ("ru", 1, "1 отзыв ждёт модерации", "1 отзыв в магазине Shop A ждёт модератора. Покупатели увидят его после одобрения."),
    ("ru", 2, "2 отзыва ждут модерации", "2 отзыва в магазине Shop A ждут модератора. Покупатели увидят их после одобрения."),
    ("ru", 5, "5 отзывов ждут модерации", "5 отзывов в магазине Shop A ждут модератора."),
    ("pl", 1, "1 opinia czeka na moderację", "1 opinia w sklepie Shop A czeka na moderatora. Kupujący zobaczą ją"),
    ("pl", 2, "2 opinie czekają na moderację", "2 opinie w sklepie Shop A czekają na moderatora. Kupujący zobaczą je"),
    ("pl", 5, "5 opinii czeka na moderację", "5 opinii w sklepie Shop A czeka na moderatora. Kupujący zobaczą je"),
])
def test_the_russian_and_polish_digests_count_in_three_forms(app, client, shop, smtp, lang, pending, subject, intro):
    got_subject, text, html = digest(app, client, shop, smtp, lang, pending)

    assert got_subject == subject
    assert intro in text and intro in html


@pytest.mark.parametrize(("pending", "subject", "intro"), [
    (1, "1 تقييم بانتظار المراجعة", "1 تقييم لمتجر Shop A بانتظار أحد المشرفين. يراه المتسوقون بعد الموافقة عليه."),
    (2, "2 تقييمان بانتظار المراجعة", "يراهما المتسوقون بعد الموافقة عليهما."),
    (3, "3 تقييمات بانتظار المراجعة", "3 تقييمات لمتجر Shop A بانتظار أحد المشرفين. يراها المتسوقون"),
    (11, "11 تقييمًا بانتظار المراجعة", "11 تقييمًا لمتجر Shop A بانتظار أحد المشرفين. يراها المتسوقون"),
])
def test_the_arabic_digest_counts_in_arabics_forms(app, client, shop, smtp, pending, subject, intro):
    got_subject, text, html = digest(app, client, shop, smtp, "ar", pending)

    assert got_subject == subject
    assert intro in text and intro in html
    assert 'dir="rtl"' in html
