"""The confirmation e-mail a reviewer gets for their review ("received" or "published", by the first
status it got), delivered through a real SMTP server: from the shop, Reply-To its support address,
in the review's language, with a link that opens the reviewer's own page. Not for imports, nor to
erased or unsubscribed customers, nor without an address; once per review."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from reviews_service.catalog.models import Customer
from reviews_service.cli import main
from reviews_service.extensions import db
from reviews_service.models_base import utcnow
from reviews_service.outbox.models import OutboxMessage
from tests.helpers import post_order, publish, set_settings, submit, write_review
from tests.outbox.conftest import parse, run_worker
from tests.outbox.servers import SmtpServer

from . import DATA, make_sample_products

LINK = re.compile(r"http://reviews\.test/review/edit/[^\s\"'<>]+")


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def confirmations(app, shop) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.shop_id == shop.id, OutboxMessage.topic == "review_received")))
        db.session.expunge_all()
        return rows


def delivered(app, smtp, to: str):
    run_worker(app)
    [message] = [parse(raw) for raw in smtp.messages if parse(raw)["To"] == to]
    return message, message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_a_published_review_is_confirmed_with_a_working_link(app, client, shop, smtp):
    set_settings(client, shop, support_email="help@shop-a.example")
    review = publish(client, shop, rating=4, title="Light", body="Ran 40 km in them.", email="ana@example.com")

    message, text, html = delivered(app, smtp, "ana@example.com")

    assert message["Subject"] == "Thank you for your review of Trail shoes"
    assert message["From"].startswith("Shop A <") and message["Reply-To"] == "help@shop-a.example"
    assert "Your review is published" in text and "★★★★☆" in text and "Ran 40 km in them." in text
    link = LINK.search(text).group(0)
    assert link in html
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and ">Ran 40 km in them.</textarea>" in page.get_data(as_text=True)
    token = urlsplit(link).path.rsplit("/", 1)[1]
    edited = client.put(f"{shop.public}/my-review", json={"token": token, "rating": 2, "body": "Wore out fast."})
    assert edited.status_code == 200 and edited.json["id"] == review["id"]
    rating = client.get(f"{shop.public}/products/sku-1/rating").json
    assert (rating["count"], rating["average"]) == (1, 2.0)


def test_a_review_that_waits_is_confirmed_as_received(app, client, shop, smtp):
    client.put("/api/v1/products/sku-1", headers=shop.headers, json={"name": "Trail shoes"})
    write_review(client, shop, email="bo@example.com", locale="vi", body="Ấm và nhẹ.")

    message, text, _html = delivered(app, smtp, "bo@example.com")

    assert message["Content-Language"] == "vi"
    assert message["Subject"] == "Cảm ơn bạn đã đánh giá Trail shoes"
    assert "Chúng tôi đã nhận được đánh giá của bạn" in text and "sau khi được kiểm tra" in text
    assert LINK.search(text)


def test_the_email_speaks_the_language_the_review_was_written_in(app, client, shop, smtp):
    order = post_order(client, shop, email="ani@example.com", customer={
        "email": "ani@example.com", "name": "Ani Hakobyan", "locale": "hy"})
    assert submit(client, shop, rating=5, token=order["widget_token"], body="Լավն է").status_code == 201

    message, text, _html = delivered(app, smtp, "ani@example.com")

    assert message["Content-Language"] == "hy"
    assert "Ani" in text
    assert "Ձեր կարծիքը հրապարակված է" in text and "Խմբագրել կամ հետ վերցնել կարծիքը" in text


def test_once_per_review(app, client, shop):
    publish(client, shop, rating=5)

    [row] = confirmations(app, shop)

    assert row.dedupe_key.startswith("review_received:")


def test_not_for_an_unsubscribed_customer(app, client, shop):
    order = post_order(client, shop, email="u@example.com")
    with app.app_context():
        db.session.scalar(select(Customer).where(Customer.email == "u@example.com")).unsubscribed_at = utcnow()
        db.session.commit()

    assert submit(client, shop, rating=5, token=order["widget_token"], body="Fine").status_code == 201

    assert confirmations(app, shop) == []


def test_not_for_a_customer_erased_before_it_leaves(app, client, shop, smtp):
    publish(client, shop, rating=5, email="gone@example.com")
    assert client.post("/api/v1/customers/erase", headers=shop.headers,
                       json={"email": "gone@example.com"}).status_code == 200

    run_worker(app)

    assert [parse(raw)["To"] for raw in smtp.messages] == []


def test_not_for_imported_reviews(app, client, shop, runner):
    make_sample_products(app, shop)

    result = runner.invoke(main, ["import", shop.slug, str(DATA / "judgeme.csv")])

    assert result.exit_code == 0, result.output
    assert confirmations(app, shop) == []
