"""Import from another platform's CSV, and the exports."""

from __future__ import annotations

import io
import json

from tests.factories import make_review

JUDGEME = (
    "title,body,rating,review_date,source,curated,reviewer_name,reviewer_email,product_id,product_handle,"
    "reply,reply_date,picture_urls,ip_address,location,metaobject_handle\n"
    "Love it,Great shoes,5,2025-03-01 10:00:00 UTC,web,ok,Ana P,ana@example.com,sku-1,,,,,,,\n"
    "Meh,Too small,2,2025-03-02 10:00:00 UTC,web,ok,Ben K,ben@example.com,sku-1,,,,,,,\n"
    "Bad,Broke,1,2025-03-03 10:00:00 UTC,web,ok,Cy D,cy@example.com,no-such-product,,,,,,,\n"
    "Odd,Stars,9,2025-03-03 10:00:00 UTC,web,ok,Di E,di@example.com,sku-1,,,,,,,\n"
)


def _upload(owner, text: str, fmt: str = "", csrf: bool = True):
    data = {"file": (io.BytesIO(text.encode()), "reviews.csv"), "format": fmt}
    return owner.post(f"{owner.base}/transfer", data, csrf=csrf, content_type="multipart/form-data")


def test_import_shows_the_report_with_both_histograms(app, owner, shop):
    make_review(app, shop, status="published")  # creates the product sku-1
    answer = _upload(owner, JUDGEME)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, html
    assert "Import report: Judge.me file" in html
    assert '<span class="tile-value">4</span><span class="tile-label">rows read</span>' in html
    assert '<span class="tile-value">2</span><span class="tile-label">reviews stored</span>' in html
    assert '<span class="tile-value">2</span><span class="tile-label">rows refused</span>' in html
    assert "Rows received" in html and "Reviews stored" in html and "<svg" in html
    assert "no-such-product" in html or "product" in html.lower()


def test_import_of_a_file_that_is_no_known_export_is_422(owner):
    answer = _upload(owner, "a,b,c\n1,2,3\n")
    assert answer.status_code == 422
    assert "matches none of the known exports" in answer.get_data(as_text=True)


def test_import_needs_a_file_and_a_csrf_token(owner):
    assert owner.post(f"{owner.base}/transfer", {}).status_code == 422
    assert _upload(owner, JUDGEME, csrf=False).status_code == 400


def test_exports_are_downloads_of_every_review(app, owner, shop):
    make_review(app, shop, status="published", title="Exported title")
    make_review(app, shop, status="rejected", title="Rejected one")
    csv_answer = owner.get(f"{owner.base}/export.csv")
    assert csv_answer.status_code == 200 and csv_answer.mimetype == "text/csv"
    assert "attachment" in csv_answer.headers["Content-Disposition"]
    text = csv_answer.get_data(as_text=True)
    assert "Exported title" in text and "Rejected one" in text
    json_answer = owner.get(f"{owner.base}/export.json")
    records = json.loads(json_answer.get_data(as_text=True))
    assert {r["title"] for r in records} == {"Exported title", "Rejected one"}
    assert owner.get(f"{owner.base}/export.xml").status_code == 404
