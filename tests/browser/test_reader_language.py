"""Reviews in the reader's language: an Armenian reader sees the Armenian reviews first (then the
rest, across "show more"), can keep only those, and sees which language the others are written
in; nothing is translated."""

from __future__ import annotations

import pytest

from .conftest import ready
from .test_widget_missing_locale import without

pytestmark = pytest.mark.browser

HY = ["Կոշիկները շատ հարմար են, ամբողջ օրը քայլեցի և ոտքերս չհոգնեցին։",
      "Ներբանները լավ են բռնում թաց քարերի վրա, իսկ քուղերը չեն արձակվում։",
      "Մի փոքր փոքր են, ավելի լավ է կես չափս մեծ պատվիրել։",
      "Գինը արժանի է, և տեսքն էլ գեղեցիկ է։"]
EN = ["Comfortable shoes, I walked all day and my feet never got tired.",
      "The soles grip well on wet rocks and the laces stay tied.",
      "They run a little small, so order half a size up.",
      "Good value for the money, and they look nice.",
      "Waterproof as promised: I crossed two streams with dry socks.",
      "The colour is brighter than in the photos, which I like.",
      "After three months of daily use they still look new.",
      "Light enough for running, sturdy enough for hiking."]


@pytest.fixture
def mixed(live):
    """Four Armenian reviews, older than eight English ones: newest first alone would show the
    English first, and the first page (ten) ends inside the English part."""
    shop = live.shop()
    pid = live.product(shop, "boot", "Trail boot")
    for n, body in enumerate(HY):
        live.review(shop, pid, 5, title=f"hy {n}", body=body, days_ago=10 + n)
    for n, body in enumerate(EN):
        live.review(shop, pid, 4, title=f"en {n}", body=body, days_ago=n)
    return shop, pid


def titles(page) -> list[str]:
    return page.locator(".review-title").all_inner_texts()


def test_an_armenian_reader_sees_armenian_reviews_first_then_the_rest(live, page, mixed):
    shop, pid = mixed
    page.goto(live.embed(shop, pid, lang="hy"))
    ready(page)
    assert titles(page) == [f"hy {n}" for n in range(4)] + [f"en {n}" for n in range(6)]
    page.locator(".foot .button").click()  # show more: the rest of the English ones, none twice
    page.locator(".review-title", has_text="en 7").wait_for()
    assert titles(page) == [f"hy {n}" for n in range(4)] + [f"en {n}" for n in range(8)]
    armenian, english = page.locator(".review").first, page.locator(".review").nth(4)
    # The reader's own language goes unsaid; another is named in it (by the browser, else by the
    # language file: Debian's Chromium has no Armenian names).
    assert armenian.locator(".lang").count() == 0
    assert armenian.locator(".body").get_attribute("lang") == "hy"
    assert english.locator(".lang").inner_text() == "Լեզուն՝ անգլերեն"
    assert english.locator(".body").get_attribute("lang") == "en"
    assert english.locator(".body").inner_text() == EN[0]  # as written, not translated


def test_only_my_language_keeps_the_armenian_reviews(live, page, mixed):
    shop, pid = mixed
    page.goto(live.embed(shop, pid, lang="hy"))
    ready(page)
    page.get_by_label("Միայն հայերեն կարծիքներ").check()
    page.locator(".review-title", has_text="en 0").wait_for(state="detached")
    assert titles(page) == [f"hy {n}" for n in range(4)]
    assert page.locator(".foot").is_hidden()
    page.get_by_label("Միայն հայերեն կարծիքներ").uncheck()
    page.locator(".review-title", has_text="en 0").wait_for()
    assert titles(page)[:5] == [f"hy {n}" for n in range(4)] + ["en 0"]


def test_an_english_reader_sees_english_first_and_which_reviews_are_armenian(live, page, mixed):
    shop, pid = mixed
    page.goto(live.embed(shop, pid, lang="en"))
    ready(page)
    assert titles(page) == [f"en {n}" for n in range(8)] + ["hy 0", "hy 1"]
    assert page.locator(".review").nth(8).locator(".lang").inner_text() == "Written in Armenian"
    assert page.locator(".review").first.locator(".lang").count() == 0


@pytest.mark.parametrize(("lang", "said"), [("hy", "Լեզուն՝ անգլերեն"), ("vi", "Viết bằng tiếng Anh")])
def test_a_review_language_is_named_where_the_browser_has_no_names_in_the_readers(live, page, mixed, lang, said):
    """A browser whose Intl.DisplayNames lacks the reader's language (Debian's Chromium: hy, ka,
    lo) names the review's language from the language file, not by its tag ("en")."""
    shop, pid = mixed
    page.add_init_script(without(lang))
    page.goto(live.embed(shop, pid, lang=lang))
    ready(page)
    assert page.evaluate(f"Intl.DisplayNames.supportedLocalesOf('{lang}').length") == 0
    english = page.locator(".review", has=page.locator(".body[lang=en]")).first
    assert english.locator(".lang").inner_text() == said
