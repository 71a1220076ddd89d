"""The HTML part of an outbox e-mail, previewed in a sandboxed frame with a policy of its own;
and the admin's icon."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from reviews_service.extensions import db
from reviews_service.outbox.models import OutboxMessage
from tests.factories import make_review

from .conftest import admin_for


def _reply_email(app, owner, shop) -> int:
    rid = make_review(app, shop, status="published", email="ana.buyer@example.com")
    owner.post(f"{owner.base}/reviews/{rid}/reply", {"body": "Thank you, Ana!"})
    with app.app_context():
        return db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.topic == "reply",
                                                                OutboxMessage.shop_id == shop.id))


def _set_html(app, message_id: int, html: str) -> None:
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(payload={**message.payload, "html": html}))
        db.session.commit()


def test_the_message_page_frames_the_html_in_a_sandbox(app, owner, shop):
    message_id = _reply_email(app, owner, shop)
    html = owner.get(f"{owner.base}/outbox/{message_id}").get_data(as_text=True)
    frame = re.search(r"<iframe [^>]*>", html).group(0)
    assert " sandbox " in frame and "allow-" not in frame  # every restriction: no scripts, no same origin
    assert f'src="{owner.base}/outbox/{message_id}/preview"' in frame
    assert 'title="The HTML part of e-mail' in frame


def test_the_preview_is_the_emails_html_under_a_policy_that_runs_no_script(app, owner, shop):
    message_id = _reply_email(app, owner, shop)
    answer = owner.get(f"{owner.base}/outbox/{message_id}/preview")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert "Thank you, Ana!" in answer.get_data(as_text=True)
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script-src" not in policy
    assert "frame-ancestors 'self'" in policy and answer.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_preview_hides_link_tokens_like_the_text(app, owner, shop):
    message_id = _reply_email(app, owner, shop)
    _set_html(app, message_id, '<p><a href="https://r.example/review/SECRET.TOKEN">Write</a> '
                               '<a href="https://r.example/unsubscribe/OTHER.TOKEN">Stop</a></p>')
    body = owner.get(f"{owner.base}/outbox/{message_id}/preview").get_data(as_text=True)
    assert "SECRET.TOKEN" not in body and "OTHER.TOKEN" not in body
    assert "/review/[token hidden]" in body


def test_the_admins_own_pages_still_refuse_to_be_framed(app, owner, shop):
    message_id = _reply_email(app, owner, shop)
    page = owner.get(f"{owner.base}/outbox/{message_id}")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    missing = owner.get(f"{owner.base}/outbox/999999/preview")  # the error page: the admin's policy
    assert missing.status_code == 404 and missing.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in missing.headers["Content-Security-Policy"]


def test_no_preview_without_html_nor_for_another_shop_or_a_moderator(app, owner, admin, shop, other_shop):
    message_id = _reply_email(app, owner, shop)
    assert admin.get(f"{owner.base}/outbox/{message_id}/preview").status_code == 403
    other = admin_for(app, other_shop, "owner")
    assert other.get(f"/admin/shops/{other_shop.slug}/outbox/{message_id}/preview").status_code == 404
    _set_html(app, message_id, "")
    assert owner.get(f"{owner.base}/outbox/{message_id}/preview").status_code == 404
    assert "<iframe" not in owner.get(f"{owner.base}/outbox/{message_id}").get_data(as_text=True)


# --- the icon --------------------------------------------------------------------------------------

def test_every_admin_page_names_an_svg_icon(client, owner):
    for html in (client.get("/admin/login").get_data(as_text=True),
                 owner.get(f"{owner.base}/queue").get_data(as_text=True)):
        href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html).group(1)
        icon = client.get(href.replace("&amp;", "&"))
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith("<svg") and "<script" not in icon.get_data(as_text=True)


def test_favicon_ico_leads_to_the_icon_instead_of_404(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 302 and "/admin/static/favicon.svg" in answer.headers["Location"]
    assert client.get(answer.headers["Location"]).mimetype == "image/svg+xml"
