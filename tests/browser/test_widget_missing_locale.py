"""A browser whose Intl lacks the page's language (Debian's Chromium has no hy, ka or lo; other
engines lack others): the widget and the collection-page stars format numbers with the separators
their language file carries, and pick plural forms by the CLDR rule it carries (`_cldr`, generated
by scripts/widget_catalogs.py). The missing data is simulated in an init script, so the tests hold
in a browser that has it too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviews_service.collecting import importing
from reviews_service.shops import service as shops

from .conftest import ready

pytestmark = pytest.mark.browser
LOCALES = Path(__file__).resolve().parents[2] / "static" / "widget" / "locales"


def without(*langs: str) -> str:
    """An init script: Intl (and Number's toLocaleString) as in a browser without `langs`' data,
    which lists none of them as supported and formats them, picks their plurals and names
    languages in English."""
    pattern = "^(" + "|".join(langs) + ")\\b"
    return f"""(() => {{
  const missing = new RegExp({json.dumps(pattern)}, "i");
  const swap = (locales) => [].concat(locales ?? []).map((tag) => missing.test(tag) ? "en" : tag);
  for (const name of ["NumberFormat", "DateTimeFormat", "PluralRules", "DisplayNames"]) {{
    const Original = Intl[name];
    const supported = Original.supportedLocalesOf.bind(Original);
    const Replaced = function (locales, options) {{ return new Original(swap(locales), options); }};
    Replaced.prototype = Original.prototype;
    Replaced.supportedLocalesOf = (locales, options) =>
      supported([].concat(locales ?? []).filter((tag) => !missing.test(tag)), options);
    Intl[name] = Replaced;
  }}
  const toLocaleString = Number.prototype.toLocaleString;
  Number.prototype.toLocaleString = function (locales, options) {{
    return toLocaleString.call(this, swap(locales), options);
  }};
}})();"""


def cldr(lang: str) -> dict:
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))["_cldr"]


def strings(lang: str) -> dict:
    return json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def collection(live):
    """A shop with a product rated 4.5 by 1,234 reviewers (imported: a Judge.me export) and one
    rated 3 by one; read only, so made once for the module."""
    shop = live.shop()
    live.product(shop, "busy", "Busy product")
    live.product(shop, "quiet", "Quiet product")
    rows = [f"{4 + n % 2},2024-03-02 10:12:00 UTC,Reviewer {n},reviewer{n}@example.com,busy" for n in range(1234)]
    with live.ctx():
        report = importing.import_csv(shops.get_shop(shop.id), "\n".join(
            ["rating,review_date,reviewer_name,reviewer_email,product_id", *rows]), fmt="judgeme", actor="cli")
    assert report.statuses == {"published": 1234}, report
    live.review(shop, "quiet", 3)
    return shop


def stars_page(live, shop, lang: str) -> str:
    return live.page(f"""<!doctype html><html lang="{lang}"><head><title>Collection</title></head><body><main>
        <ul><li>Busy <span data-reviews-stars="busy"></span></li><li>Quiet <span data-reviews-stars="quiet"></span></li></ul>
        </main><script src="{live.origin}/widget/v1/stars.js" data-reviews-key="{shop.public_key}" async></script>
        </body></html>""")


def stars_labels(page) -> dict[str, tuple[str, str]]:
    page.locator("[data-reviews-stars='quiet'] >> [role=img]").wait_for()
    page.locator("[data-reviews-stars='busy'] >> [role=img]").wait_for()
    return {pid: (page.locator(f"[data-reviews-stars='{pid}'] >> [role=img]").get_attribute("aria-label"),
                  page.locator(f"[data-reviews-stars='{pid}'] >> [role=img]").inner_text())
            for pid in ("busy", "quiet")}


def test_the_stars_write_armenian_numbers_where_intl_lacks_armenian(live, page, collection):
    page.add_init_script(without("hy"))
    page.goto(stars_page(live, collection, "hy-AM"))
    assert page.evaluate("Intl.NumberFormat.supportedLocalesOf('hy').length") == 0
    assert page.evaluate("(4.5).toLocaleString('hy')") == "4.5"  # what the browser alone would show

    data, label = cldr("hy"), strings("hy")["stars_label"]
    assert data["decimal"] == "," and data["group"].strip() == ""
    labels = stars_labels(page)
    busy_count = f"1{data['group']}234"
    assert labels["busy"] == (label.replace("{avg}", "4,5").replace("{n}", busy_count), f" ({busy_count})")
    assert labels["quiet"] == (label.replace("{avg}", "3,0").replace("{n}", "1"), " (1)")


@pytest.mark.parametrize("lang", ["ka", "lo"])
def test_the_stars_write_their_languages_numbers_in_a_browser_without_them(live, page, collection, lang):
    page.add_init_script(without(lang))
    page.goto(stars_page(live, collection, lang))
    data = cldr(lang)
    busy, _ = stars_labels(page)["busy"]
    assert f"4{data['decimal']}5" in busy and f"1{data['group']}234" in busy


def test_the_stars_use_the_browsers_intl_where_it_has_the_language(live, page, collection):
    """German, which every browser has: Intl's own formatting, not the file's."""
    page.goto(stars_page(live, collection, "de"))
    german = page.evaluate("[(4.5).toLocaleString('de', {minimumFractionDigits: 1}), (1234).toLocaleString('de')]")
    busy, shown = stars_labels(page)["busy"]
    assert german == ["4,5", "1.234"]
    assert busy == strings("de")["stars_label"].replace("{avg}", "4,5").replace("{n}", "1.234")
    assert shown == " (1.234)"


# --- plural forms -------------------------------------------------------------------------------

@pytest.fixture
def reviewed(live):
    """Twelve reviews: five of 5 stars, two of 4, one of 3, four of 2."""
    shop = live.shop()
    live.product(shop, "twelve", "Twelve")
    for n, rating in enumerate([5] * 5 + [4] * 2 + [3] + [2] * 4):
        live.review(shop, "twelve", rating, title=f"Review {n}", body="Good.", name=f"Reviewer{n} Example")
    return shop


def test_plural_forms_follow_the_languages_rule_where_intl_lacks_it(live, page, reviewed):
    """Russian says "12 отзывов" and "5 отзывов" (many), "2 отзыва" (few), "1 отзыв" (one), where
    English's rule (one for 1, other for the rest) would give "отзыва", the form for fractions."""
    page.add_init_script(without("ru"))
    page.goto(live.embed(reviewed, "twelve", lang="ru"))
    ready(page)
    assert page.evaluate("new Intl.PluralRules('ru').select(5)") == "other"  # English's rule

    words = strings("ru")
    assert words["based_on"]["many"] != words["based_on"]["other"]
    assert words["reviews_n"]["many"] != words["reviews_n"]["other"]
    assert words["based_on"]["many"].replace("{n}", "12") in page.locator("p.count").first.inner_text()
    spoken = {stars: page.locator(f"[data-stars='{stars}'] .bar-count .visually-hidden").text_content()
              for stars in (5, 4, 3)}
    assert spoken[5].startswith(words["reviews_n"]["many"].replace("{n}", "5") + ","), spoken
    assert spoken[4].startswith(words["reviews_n"]["few"].replace("{n}", "2") + ","), spoken
    assert spoken[3].startswith(words["reviews_n"]["one"].replace("{n}", "1") + ","), spoken


def test_the_carried_plural_rule_agrees_with_the_browsers_own(live, page):
    """For every widget language the browser has data for, the language file's plural table gives
    each count the category Intl.PluralRules (ICU) gives it, 0 to 3,000 and some millions. (Where
    the browser's CLDR is of another version with other categories, e.g. Vietnamese "one" for 0
    and 1 since CLDR 46 in Babel, that language is not compared.)"""
    page.goto(live.page("<!doctype html><title>Plurals</title>"))
    compared = []
    for path in sorted(LOCALES.glob("*.json")):
        lang, data = path.stem, cldr(path.stem)
        disagree = page.evaluate("""([lang, cldr]) => {
          if (!Intl.PluralRules.supportedLocalesOf(lang).length) return null;
          const rules = new Intl.PluralRules(lang);
          if (rules.resolvedOptions().pluralCategories.sort().join() !== [...cldr.plurals].sort().join()) return null;
          const carried = (n) => cldr.plurals[cldr.plural[n % 1e6 || !n ? n < 200 ? n : 100 + n % 100 : 200]];
          const counts = [...Array(3001).keys(), 1e6, 2e6, 1000001, 1000021, 5e6 + 12, 123456789];
          return counts.filter((n) => carried(n) !== rules.select(n));
        }""", [lang, data])
        if disagree is not None:
            compared.append(lang)
            assert disagree == [], f"{lang}: {disagree[:10]}"
    assert {"ru", "pl", "ar", "fr", "uk"} <= set(compared), compared
