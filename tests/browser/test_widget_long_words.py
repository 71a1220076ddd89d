"""Layouts that survive long words: the widget on a 375 px phone, pseudo-localised (every string 40 %
longer, with accents) and in each language's real strings, scrolls nowhere sideways and overlaps
no label, with the sort menu open and the rating bars shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import ready
from .test_widget_quality import reviewed  # noqa: F401 (the fixture: a product with 12 reviews)

pytestmark = pytest.mark.browser
LOCALES = Path(__file__).resolve().parents[2] / "static" / "widget" / "locales"
LONGEST = ["hy", "ka", "lo", "vi", "de", "ru"]
ACCENTS = str.maketrans("aeiouyAEIOUYcnsz", "àéîõüýÅÉÎÕÜÝçñšž")
PLACEHOLDER = re.compile(r"(\{\w+\})")

# Every element of the widget's shadow root whose right edge passes the widget's box, and every
# pair of labels that overlap (boxes of their text, so a label spilling out of its cell counts).
MEASURE = """() => {
  const host = [...document.querySelectorAll("*")].find((e) => e.shadowRoot?.querySelector(".widget"));
  const root = host.shadowRoot, box = root.querySelector(".widget").getBoundingClientRect();
  const name = (e) => `${e.className?.baseVal ?? e.className ?? ""}|${e.tagName}|${e.textContent.slice(0, 30)}`;
  const rect = (e) => {
    const r = e.getBoundingClientRect(), range = document.createRange();
    if (e.children.length) return r;  // a leaf's text may spill out of its box
    range.selectNodeContents(e);
    const t = range.getBoundingClientRect();
    return t.width ? {left: Math.min(r.left, t.left), right: Math.max(r.right, t.right),
                      top: Math.min(r.top, t.top), bottom: Math.max(r.bottom, t.bottom)} : r;
  };
  const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const pairs = (els) => els.flatMap((a, i) => els.slice(i + 1).filter((b) => overlap(rect(a), rect(b)))
                                                   .map((b) => [name(a), name(b)]));
  const wide = [...root.querySelectorAll("*")].filter((e) => {
    const r = rect(e);
    return r.right - r.left > 0 && r.right > box.right + 0.5 && !e.closest(".visually-hidden");
  }).map(name);
  const cut = [...root.querySelectorAll(".bar-label, .bar-count, .sort > span, .photos-only > span")]
    .filter((e) => e.scrollWidth > e.clientWidth + 1 && !e.title).map(name);
  const bars = [...root.querySelectorAll(".bar")].flatMap((bar) => pairs([...bar.querySelectorAll(".bar-label, .track, .bar-count")]));
  const tools = pairs([...root.querySelectorAll(".sort > span, .sort > select, .photos-only > span, .photos-only > input")]);
  const page = document.scrollingElement;
  return {scroll: [page.scrollWidth, page.clientWidth], wide, cut, overlaps: [...bars, ...tools],
          options: [...root.querySelectorAll("select option")].map((o) => o.textContent)};
}"""


def pseudo(text: str) -> str:
    """`text` with accents and 40 % longer, its {placeholders} untouched."""
    parts = [p if PLACEHOLDER.fullmatch(p) else p.translate(ACCENTS) for p in PLACEHOLDER.split(text)]
    padding = "~" * -(-len(text) * 2 // 5)
    return f"[{''.join(parts)}{padding}]"


def pseudo_catalog() -> dict:
    strings = json.loads((LOCALES / "en.json").read_text(encoding="utf-8"))
    return {key: value if key.startswith("_") else
            {form: pseudo(text) for form, text in value.items()} if isinstance(value, dict) else pseudo(value)
            for key, value in strings.items()}


def test_pseudo_localisation_keeps_placeholders_and_plural_forms():
    catalog, english = pseudo_catalog(), json.loads((LOCALES / "en.json").read_text(encoding="utf-8"))
    assert catalog["star_n"].keys() == english["star_n"].keys()
    assert "{n}" in catalog["star_n"]["other"] and "à" in catalog["sort_highest"]
    assert len(catalog["sort_highest"]) >= 1.4 * len(english["sort_highest"])


def open_phone_widget(live, page, shop, pid, lang):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live.embed(shop, pid, lang=lang))
    ready(page)
    select = page.locator(".sort select")
    select.click()  # the sort menu opens ...
    page.keyboard.press("Escape")
    options = select.locator("option").all_inner_texts()
    longest = max(range(len(options)), key=lambda i: len(options[i]))
    select.select_option(index=longest)  # ... and shows its longest choice
    ready(page)
    page.locator(".bar").first.wait_for()
    return page.evaluate(MEASURE)


def assert_fits(measured):
    width, client = measured["scroll"]
    assert width <= client, f"the page scrolls sideways: {width} > {client}"
    assert measured["wide"] == [], "elements pass the widget's right edge"
    assert measured["cut"] == [], "labels are cut with no full text at hand"
    assert measured["overlaps"] == [], "labels overlap"


def test_pseudo_localised_widget_fits_a_phone(live, page, reviewed):  # noqa: F811
    shop, pid = reviewed
    catalog = pseudo_catalog()

    def serve_pseudo(route):
        response = route.fetch()
        route.fulfill(response=response, body=json.dumps(catalog, ensure_ascii=False))

    page.route("**/locales/en.json", serve_pseudo)
    measured = open_phone_widget(live, page, shop, pid, "en")
    assert measured["options"][0] == catalog["sort_newest"]  # the pseudo file is what the widget speaks
    assert_fits(measured)


@pytest.mark.parametrize("lang", LONGEST + sorted({p.stem for p in LOCALES.glob("*.json")} - set(LONGEST)))
def test_each_languages_widget_fits_a_phone(live, page, reviewed, lang):  # noqa: F811
    shop, pid = reviewed
    measured = open_phone_widget(live, page, shop, pid, lang)
    strings = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    assert measured["options"][0] == strings["sort_newest"]
    assert_fits(measured)
