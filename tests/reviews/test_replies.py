"""The shop's public reply: one per review, editable, only under published reviews, shown in the
public list, audited, and announced to the reviewer by e-mail through the outbox."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reviews_service.errors import Conflict, Invalid, NotFound
from reviews_service.extensions import db
from reviews_service.moderation import queue, replies
from reviews_service.outbox.models import OutboxMessage
from reviews_service.reviews.models import Reply
from reviews_service.shops import service as shops
from tests.factories import make_product
from tests.helpers import write_review


@pytest.fixture
def app_config():
    return {"PUBLIC_WRITE_LIMIT": "1000 per minute"}


def reply_emails(shop_id: int) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.shop_id == shop_id, OutboxMessage.topic == "reply").order_by(OutboxMessage.id)))


@pytest.fixture
def published(app, client, shop):
    make_product(app, shop, "sku-1", "Trail shoes")
    return write_review(client, shop, verified=True, rating=2, body="Warm and dry.", email="ana@example.com")


@pytest.fixture
def ctx(app, shop):
    with app.app_context():
        yield shops.get_shop(shop.id)


def test_a_reply_is_stored_shown_audited_and_emailed(app, client, shop, published, ctx):
    reply = replies.set_reply(ctx, published, "  Sorry about the zip: a new one is on its way.  ", user_id=None)

    assert reply.body == "Sorry about the zip: a new one is on its way."
    emails = reply_emails(shop.id)
    assert len(emails) == 1 and emails[0].recipient.startswith("ana")
    assert "a new one is on its way" in str(emails[0].payload)
    assert [(e.action, e.note) for e in queue.audit_log(ctx, published)][-1] == ("reply", "created, 45 characters")
    listed = client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"][0]
    assert listed["reply"]["body"] == "Sorry about the zip: a new one is on its way."


def test_editing_the_reply_keeps_one_and_emails_again(app, shop, published, ctx, monkeypatch):
    from datetime import timedelta

    from reviews_service import clock

    replies.set_reply(ctx, published, "Thank you!", user_id=None)
    clock.travel(timedelta(seconds=5))
    edited = replies.set_reply(ctx, published, "Thank you, Ana!", user_id=None)

    assert edited.body == "Thank you, Ana!"
    assert db.session.scalar(select(func.count()).select_from(Reply)) == 1
    assert len(reply_emails(shop.id)) == 2
    assert [e.note for e in queue.audit_log(ctx, published) if e.action == "reply"] == [
        "created, 10 characters", "edited, 15 characters"]


def test_saving_the_same_text_again_sends_nothing(shop, published, ctx):
    replies.set_reply(ctx, published, "Thank you!", user_id=None)
    replies.set_reply(ctx, published, "Thank you!  ", user_id=None)

    assert len(reply_emails(shop.id)) == 1


def test_the_moderator_is_named_as_the_replys_author(app, shop, published, ctx):
    user = shops.create_user("mod@example.com", "a long enough password", shop=ctx)
    reply = replies.set_reply(ctx, published, "Thanks", user_id=user.id)

    assert reply.author_user_id == user.id
    assert queue.audit_log(ctx, published)[-1].actor == f"user:{user.id}"


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, "nul \x00 byte"])
def test_a_reply_needs_one_to_5000_characters(published, ctx, body):
    with pytest.raises(Invalid) as error:
        replies.set_reply(ctx, published, body, user_id=None)
    assert "body" in error.value.errors
    assert db.session.scalar(select(func.count()).select_from(Reply)) == 0


def test_a_reply_of_5000_characters_is_fine(published, ctx):
    assert len(replies.set_reply(ctx, published, "x" * 5000, user_id=None).body) == 5000


def test_only_a_published_review_gets_a_reply(app, client, shop, published, ctx):
    pending = write_review(client, shop, rating=2, body="Warm and dry.")
    with pytest.raises(Conflict):
        replies.set_reply(ctx, pending, "Thanks", user_id=None)
    assert reply_emails(shop.id) == []


def test_another_shops_review_cannot_be_answered(app, client, shop, other_shop, ctx):
    make_product(app, other_shop, "sku-1", "Trail shoes")
    theirs = write_review(client, other_shop, verified=True, rating=2, body="Warm and dry.")
    with pytest.raises(NotFound):
        replies.set_reply(ctx, theirs, "Hello", user_id=None)
    with pytest.raises(NotFound):
        replies.delete_reply(ctx, theirs, user_id=None)
    assert db.session.scalar(select(func.count()).select_from(Reply)) == 0


def test_deleting_the_reply_removes_it_from_the_public_list(app, client, shop, published, ctx):
    replies.set_reply(ctx, published, "Thanks", user_id=None)

    assert replies.delete_reply(ctx, published, user_id=None) is True
    assert replies.delete_reply(ctx, published, user_id=None) is False
    assert queue.audit_log(ctx, published)[-1].action == "reply_deleted"
    assert client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"][0]["reply"] is None


def test_no_email_to_a_reviewer_who_unsubscribed(app, client, shop, published, ctx):
    from reviews_service.catalog.models import Customer
    from reviews_service.models_base import utcnow

    for customer in db.session.scalars(select(Customer)):
        customer.unsubscribed_at = utcnow()
    db.session.commit()

    replies.set_reply(ctx, published, "Thanks", user_id=None)

    assert reply_emails(shop.id) == []
