"""An Arabic-speaking customer's path, through a real SMTP server and HTTP: the review request
arrives in Arabic and right to left, and the hosted review page it links to, and its thanks page,
are Arabic and right to left too."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.helpers import set_settings

from .conftest import fulfilled_order, parse, run_worker

LINK = re.compile(r"https?://\S+/review/[^\s\"'<>]+")
RTL_ROOT = '<html lang="ar" dir="rtl">'


@pytest.fixture
def app_config(smtp):
    return {"SMTP_URL": smtp.url}


def test_an_arabic_customer_gets_an_arabic_right_to_left_e_mail_and_review_page(app, client, shop, smtp):
    set_settings(client, shop, review_request_delay_days=0)
    fulfilled_order(client, shop, email="layla@example.com",
                    customer={"email": "layla@example.com", "name": "Layla", "locale": "ar-EG"})

    run_worker(app)

    message = parse(smtp.messages[-1])
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert message["Content-Language"] == "ar"
    assert message["Subject"] == "ما رأيك في Trail shoes؟"
    assert RTL_ROOT in html and '<div dir="rtl"' in html  # the wrapper too: webmail drops <html>
    for body in (text, html):
        assert "مرحبًا Layla،" in body
        assert "كيف كان طلبك؟" in body
        assert "اكتب تقييمًا" in body
        assert "إلغاء الاشتراك في هذه الرسائل" in body
        assert "How was your order?" not in body

    link = urlsplit(LINK.search(text).group(0)).path
    form = client.get(link)
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert RTL_ROOT in page
    assert "<h1>قيّم طلبك</h1>" in page
    assert "ستُعلَّم تقييماتك على أنها من مشترٍ موثَّق." in page
    assert "إرسال تقييماتي" in page
    assert "Review your order" not in page

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sent = client.post(link, data={"csrf_token": csrf, "rating-0": "5", "body-0": "مقاس مناسب وخفيف.",
                                   "display_name": "Layla"}, content_type="multipart/form-data")
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert RTL_ROOT in thanks
    assert "شكرًا لك على تقييمك!" in thanks
    assert "Thank you for your review!" not in thanks
