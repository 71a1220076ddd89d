"""The star badge: an SVG with a partial star, an accessible title, themable colours, no script."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from reviews_service.ratings.badge import DEFAULTS, render_badge
from tests.helpers import assert_problem, publish, set_settings

from . import CONFIG, pending

SVG = "{http://www.w3.org/2000/svg}"
COLOURS = {"star": "#f5a623", "empty": "#dddddd", "text": "#333333"}


@pytest.fixture
def app_config():
    return dict(CONFIG)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def star_fills(root: ET.Element) -> list[str]:
    return [path.get("fill") for path in root.iter(f"{SVG}path")]


def assert_self_contained(svg: str) -> None:
    """No script, no event handler, no link or reference to anything outside the image."""
    root = parse(svg)
    tags = {el.tag.removeprefix(SVG) for el in root.iter()}
    assert tags <= {"svg", "title", "defs", "linearGradient", "stop", "g", "path", "text"}, tags
    for el in root.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), name
            assert "href" not in name.lower(), name
            assert "javascript:" not in value.lower()
            if value.startswith("url("):
                assert re.fullmatch(r"url\(#[\w-]+\)", value), value
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in svg.lower() and "<!entity" not in svg.lower()


# --- rendering -----------------------------------------------------------------------------------

def test_fractional_star_is_filled_to_its_fraction():
    root = parse(render_badge(4.3, 12, **COLOURS))
    assert star_fills(root) == ["#f5a623"] * 4 + ["url(#rv-part)"]
    stops = list(root.iter(f"{SVG}stop"))
    assert [(s.get("offset"), s.get("stop-color")) for s in stops] == [
        ("30%", "#f5a623"), ("30%", "#dddddd")]


@pytest.mark.parametrize(("average", "full", "partial", "empty"), [
    (5.0, 5, 0, 0), (4.0, 4, 0, 1), (1.0, 1, 0, 4), (2.5, 2, 1, 2), (0.0, 0, 0, 5), (4.96, 4, 1, 0)])
def test_stars_split_into_full_partial_and_empty(average, full, partial, empty):
    fills = star_fills(parse(render_badge(average, 3 if average else 0, **COLOURS)))
    assert (fills.count("#f5a623"), fills.count("url(#rv-part)"), fills.count("#dddddd")) == \
        (full, partial, empty)


@pytest.mark.parametrize(("average", "count", "label"), [
    (4.3, 12, "Rated 4.3 out of 5 stars. Reviews: 12"),
    (5, 1, "Rated 5.0 out of 5 stars. Reviews: 1"),
    (4.25, 4, "Rated 4.3 out of 5 stars. Reviews: 4"),
    (4.2499, 4, "Rated 4.2 out of 5 stars. Reviews: 4"),
    (0, 0, "0 reviews"),
])
def test_title_and_aria_label_say_the_rating(average, count, label):
    root = parse(render_badge(average, count, **COLOURS))
    assert root.get("role") == "img"
    assert root.get("aria-label") == label
    assert root.find(f"{SVG}title").text == label


def test_count_is_shown_next_to_the_stars():
    root = parse(render_badge(4.3, 12, **COLOURS))
    text = root.find(f"{SVG}text")
    assert text.text == "4.3 (12)"
    assert float(text.get("x")) > 5 * 20


def test_width_follows_the_content():
    def width(count):
        root = parse(render_badge(4.0, count, **COLOURS))
        assert root.get("viewBox") == f"0 0 {root.get('width')} 20"
        return int(root.get("width"))

    assert width(1) < width(12) < width(123456)
    assert width(0) > width(12)  # "0 reviews" is longer than "4.0 (12)"


def test_colours_are_applied():
    svg = render_badge(2.5, 2, star="#123", empty="#ABCDEF", text="#0a0b0c")
    root = parse(svg)
    assert set(star_fills(root)) == {"#123", "url(#rv-part)", "#abcdef"}
    assert root.find(f"{SVG}text").get("fill") == "#0a0b0c"


@pytest.mark.parametrize("value", ["red", '#fff" onload="alert(1)', "#12", "#ggg", "url(#x)", ""])
def test_render_refuses_a_colour_that_is_not_hex(value):
    with pytest.raises(ValueError):
        render_badge(4.0, 1, **{**COLOURS, "star": value})


@pytest.mark.parametrize(("average", "count"), [(4.3, 12), (0, 0), (5, 1), (1.01, 99999)])
def test_badge_is_self_contained(average, count):
    assert_self_contained(render_badge(average, count, **COLOURS))


def test_other_language():
    root = parse(render_badge(4.25, 2, **COLOURS, lang="de"))
    assert root.get("aria-label") == "Mit 4,3 von 5 Sternen bewertet. Bewertungen: 2"
    assert root.find(f"{SVG}text").text == "4,3 (2)"


# --- the route -----------------------------------------------------------------------------------

def badge_url(shop, product_id="sku-1"):
    return f"{shop.public}/products/{product_id}/badge.svg"


def test_badge_route_draws_the_products_rating(client, shop):
    for stars in (5, 4, 4):  # 13 / 3 = 4.33
        publish(client, shop, rating=stars)
    pending(client, shop, rating=1)
    response = client.get(badge_url(shop))
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    root = parse(response.get_data(as_text=True))
    assert root.get("aria-label") == "Rated 4.3 out of 5 stars. Reviews: 3"
    assert star_fills(root) == [DEFAULTS["star"]] * 4 + ["url(#rv-part)"]
    assert_self_contained(response.get_data(as_text=True))


def test_unknown_product_shows_no_reviews_yet(client, shop):
    response = client.get(badge_url(shop, "never-sold"))
    assert response.status_code == 200
    assert parse(response.get_data(as_text=True)).get("aria-label") == "0 reviews"


def test_unknown_public_key_is_404(client):
    assert_problem(client.get("/api/v1/public/pk_nobodynobodynobody/products/x/badge.svg"), 404)


def test_colours_come_from_the_query(client, shop):
    publish(client, shop, rating=3)
    response = client.get(badge_url(shop) + "?star=%23C00&empty=%23eeeeee&text=%23000")
    assert response.status_code == 200
    root = parse(response.get_data(as_text=True))
    assert set(star_fills(root)) == {"#c00", "#eeeeee"}
    assert root.find(f"{SVG}text").get("fill") == "#000"


@pytest.mark.parametrize("name", ["star", "empty", "text"])
@pytest.mark.parametrize("value", [
    "red", "#12", "#1234", "#ggg", "fff", "#fff;", '#fff"/><script>alert(1)</script>',
    "url(javascript:alert(1))", "#fff\n", "%23fff", "#ｆｆｆ", "rgb(0,0,0)",
])
def test_a_colour_that_is_not_hex_is_422_naming_the_parameter(client, shop, name, value):
    response = client.get(badge_url(shop), query_string={name: value})
    body = assert_problem(response, 422, field=name)
    assert "<script" not in response.get_data(as_text=True)
    assert body["errors"][name]


def test_same_etag_answers_304_and_new_review_changes_it(client, shop):
    publish(client, shop, rating=5)
    first = client.get(badge_url(shop))
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get(badge_url(shop), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["X-Content-Type-Options"] == "nosniff"
    publish(client, shop, rating=1)
    changed = client.get(badge_url(shop), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_colours_change_the_etag(client, shop):
    plain = client.get(badge_url(shop)).headers["ETag"]
    themed = client.get(badge_url(shop) + "?star=%23000").headers["ETag"]
    assert plain != themed
    assert client.get(badge_url(shop) + "?star=%23000",
                      headers={"If-None-Match": plain}).status_code == 200


@pytest.mark.parametrize("app_config", [{"RATING_MAX_AGE": 20, "RATING_S_MAXAGE": 90,
                                         "RATING_STALE_WHILE_REVALIDATE": 30}])
def test_cache_control_follows_config(client, shop):
    assert client.get(badge_url(shop)).headers["Cache-Control"] == \
        "public, max-age=20, s-maxage=90, stale-while-revalidate=30"


@pytest.mark.parametrize(("lang", "label"), [("de", "0 Bewertungen"), ("de-AT", "0 Bewertungen"),
                                             ("ka", "0 შეფასება"), ("", "0 reviews")])
def test_lang_picks_the_language(client, shop, lang, label):
    response = client.get(badge_url(shop), query_string={"lang": lang})
    assert parse(response.get_data(as_text=True)).get("aria-label") == label


@pytest.mark.parametrize("lang", ["xx", "english", "sw", "de_AT!"])
def test_a_language_the_widget_does_not_speak_draws_the_shops_default(client, shop, lang):
    """An `<img>` cannot show a 422: a shop that writes its page's language into the URL gets a
    badge in its default language, never a broken image."""
    set_settings(client, shop, default_locale="hy")
    armenian = client.get(badge_url(shop))
    response = client.get(badge_url(shop), query_string={"lang": lang})
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data() == armenian.get_data()
    assert parse(response.get_data(as_text=True)).get("aria-label") != \
        parse(client.get(badge_url(shop), query_string={"lang": "en"}).get_data(as_text=True)).get("aria-label")


def test_product_id_with_slashes_and_spaces(client, shop):
    publish(client, shop, "shoes/red 42", rating=4, name="Red shoes")
    response = client.get(badge_url(shop, "shoes/red%2042"))
    assert parse(response.get_data(as_text=True)).get("aria-label") == \
        "Rated 4.0 out of 5 stars. Reviews: 1"
