"""The outbox pages: status, attempts, last error, the text of an e-mail, retry now."""

from __future__ import annotations

from sqlalchemy import select, update

from reviews_service.extensions import db
from reviews_service.outbox.models import OutboxMessage
from tests.factories import make_review


def _reply_email(app, owner, shop) -> int:
    rid = make_review(app, shop, status="published", email="ana.buyer@example.com")
    owner.post(f"{owner.base}/reviews/{rid}/reply", {"body": "Thank you, Ana!"})
    with app.app_context():
        return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.topic == "reply"))


def _fail(app, message_id: int, status: str = "failed") -> None:
    with app.app_context():
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(status=status, attempts=3, last_error="SMTP 451 try again later"))
        db.session.commit()


def test_outbox_lists_messages_with_status_attempts_and_last_error(app, owner, shop):
    message_id = _reply_email(app, owner, shop)
    _fail(app, message_id)
    html = owner.get(f"{owner.base}/outbox").get_data(as_text=True)
    assert f"#{message_id}" in html and "failed" in html and "SMTP 451 try again later" in html
    assert "ana.buyer@example.com" not in html and "an…@example.com" in html
    assert "Retry now" in html
    assert f"#{message_id}" in owner.get(f"{owner.base}/outbox?status=failed").get_data(as_text=True)
    assert f"#{message_id}" not in owner.get(f"{owner.base}/outbox?status=sent").get_data(as_text=True)


def test_reading_a_queued_e_mail_shows_its_text_without_link_tokens(app, owner, shop):
    message_id = _reply_email(app, owner, shop)
    with app.app_context():
        payload = db.session.get(OutboxMessage, message_id).payload
    answer = owner.get(f"{owner.base}/outbox/{message_id}")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Thank you, Ana!" in html and payload["subject"] in html
    for token in __import__("re").findall(r"/unsubscribe/([^\s]+)", payload["text"]):
        assert token not in html
    if "/unsubscribe/" in payload["text"]:
        assert "/unsubscribe/[token hidden]" in html


def test_retry_now_puts_a_failed_message_back_in_the_queue(app, owner, shop):
    message_id = _reply_email(app, owner, shop)
    _fail(app, message_id, "dead")
    assert owner.post(f"{owner.base}/outbox/{message_id}/retry").status_code == 302
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status == "pending"
    assert owner.post(f"{owner.base}/outbox/{message_id}/retry", csrf=False).status_code == 400


def test_another_shops_message_is_404(app, owner, shop, other_shop):
    from .conftest import admin_for

    other = admin_for(app, other_shop, "owner")
    message_id = _reply_email(app, other, other_shop)
    _fail(app, message_id)
    assert owner.get(f"{owner.base}/outbox/{message_id}").status_code == 404
    assert owner.post(f"{owner.base}/outbox/{message_id}/retry").status_code == 404
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status == "failed"


def test_mask_and_token_helpers():
    from reviews_service.admin.outbox import hide_tokens, mask_email

    assert mask_email("ana.buyer@example.com") == "an…@example.com"
    assert mask_email("not an address") == "not an address"
    text = "Write: https://r.example/review/abc.DEF-123 or https://r.example/x?token=zz&lang=en"
    assert hide_tokens(text) == ("Write: https://r.example/review/[token hidden] or "
                                 "https://r.example/x?token=[token hidden]&lang=en")
