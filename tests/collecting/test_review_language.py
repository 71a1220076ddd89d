"""The language a review is written in: detected at submission from its text when the client does
not say it, the form's language winning over a detection that is not sure, an explicit `lang`
winning over both; shown in the public and server answers and the export; filled in for old
reviews by `reviews-service detect-languages`."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import update

from reviews_service.extensions import db
from reviews_service.reviews.models import Review
from tests.factories import make_order
from tests.helpers import assert_problem, publish, run, server_review, submit
from tests.widget.test_review_page import form, link_for, post

# Real sentences: "Comfortable shoes, I walked all day and my feet never got tired."
SENTENCES = {
    "hy": "Կոշիկները շատ հարմար են, ամբողջ օրը քայլեցի և ոտքերս չհոգնեցին։",
    "ka": "ფეხსაცმელი ძალიან კომფორტულია, მთელი დღე ვიარე და ფეხები არ დამეღალა.",
    "lo": "ເກີບຄູ່ນີ້ໃສ່ສະບາຍຫຼາຍ, ຍ່າງໝົດມື້ກໍ່ບໍ່ເມື່ອຍຕີນ.",
    "vi": "Đôi giày rất thoải mái, tôi đi bộ cả ngày mà chân không hề mỏi.",
    "en": "Comfortable shoes, I walked all day and my feet never got tired.",
    "de": "Bequeme Schuhe, ich bin den ganzen Tag gelaufen und meine Füße wurden nie müde.",
}


@pytest.mark.parametrize("lang", ["hy", "ka", "lo", "vi"])
def test_the_language_of_the_text_is_detected_at_submission(client, shop, lang):
    # The form was in English: a sure detection of the text wins over it.
    review = publish(client, shop, body=SENTENCES[lang], locale="en")
    assert review["lang"] == lang
    assert review["locale"] == "en"
    shown = client.get(f"{shop.public}/products/sku-1/reviews").json["reviews"][0]
    assert shown["lang"] == lang
    assert server_review(client, shop, review["id"])["lang"] == lang


@pytest.mark.parametrize(("body", "form"), [("Super!", "de"), ("ok", "hy"), ("Top!", "fr"), ("", "ka")])
def test_the_form_language_wins_over_a_text_too_short_to_tell(client, shop, body, form):
    review = publish(client, shop, body=body, locale=form, title="")
    assert review["lang"] == form


def test_a_sure_detection_wins_over_the_form_language(client, shop):
    review = publish(client, shop, body=SENTENCES["de"], locale="en")
    assert review["lang"] == "de"


def test_without_a_form_language_a_short_text_has_no_language(client, shop):
    review = publish(client, shop, body="Super!")
    assert review["lang"] is None


@pytest.mark.parametrize(("given", "stored"), [("hy", "hy"), ("pt-BR", "pt"), ("ZH_Hant", "zh")])
def test_an_explicit_lang_wins_over_text_and_form(client, shop, given, stored):
    review = publish(client, shop, body=SENTENCES["en"], locale="de", lang=given)
    assert review["lang"] == stored


@pytest.mark.parametrize("bad", ["english", "1x", "", "h", "hy--AM", "hy AM", 7])
def test_a_lang_that_is_no_language_tag_is_422_naming_it(client, shop, bad):
    response = submit(client, shop, rating=5, body="Good.", email="a@example.com", display_name="Ana",
                      lang=bad)
    assert_problem(response, 422, field="lang", shopper=True)


@pytest.mark.parametrize(("body", "expected"), [("Super!", "hy"), (SENTENCES["ka"], "ka")])
def test_the_hosted_page_sends_the_language_it_was_shown_in(app, client, shop, body, expected):
    """Shown in Armenian: a short text is Armenian; a Georgian sentence is Georgian all the same."""
    url = link_for(client, shop, make_order(app, shop, fulfilled=True)) + "?lang=hy"
    html = client.get(url).get_data(as_text=True)
    response = post(client, url, form(html, **{"rating-0": "5", "body-0": body}))
    assert response.status_code == 303, response.get_data(as_text=True)
    [review] = client.get("/api/v1/reviews", headers=shop.headers).json["reviews"]
    assert (review["locale"], review["lang"]) == ("hy", expected)


def test_the_export_carries_each_review_language(client, shop):
    publish(client, shop, body=SENTENCES["hy"])
    text = client.get("/api/v1/reviews/export?format=csv", headers=shop.headers).get_data(as_text=True)
    [row] = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    assert row["lang"] == "hy"
    exported = client.get("/api/v1/reviews/export?format=json", headers=shop.headers).json
    assert exported[0]["lang"] == "hy"


def test_detect_languages_fills_old_reviews_in_batches_and_again_only_what_is_left(app, client, shop, runner):
    written = {lang: publish(client, shop, body=SENTENCES[lang], email=f"{lang}@example.com")["id"]
               for lang in ("hy", "ka", "vi")}
    short = publish(client, shop, body="Super!", email="short@example.com", locale="de")["id"]
    with app.app_context():
        db.session.execute(update(Review).values(lang=None))
        db.session.commit()
    assert server_review(client, shop, written["hy"])["lang"] is None
    result = run(runner, "detect-languages", "--batch", "2")
    assert result.exit_code == 0 and "4 of 4 reviews" in result.output, result.output
    for lang, public_id in written.items():
        assert server_review(client, shop, public_id)["lang"] == lang
    assert server_review(client, shop, short)["lang"] == "de"  # its form's language
    assert "0 of 0 reviews" in run(runner, "detect-languages").output
