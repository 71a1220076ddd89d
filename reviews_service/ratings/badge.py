"""The star badge: an SVG a storefront shows with a plain `<img>` tag, no JavaScript at all.

Everything that goes into the SVG is either a number we formatted or a colour that matched
`#rgb`/`#rrggbb`: no user text is ever interpolated, so the image cannot carry markup, script or
a reference to anything outside itself.
"""

from __future__ import annotations

import math
import re
from html import escape

from flask import request
from flask_smorest import Blueprint

from ..errors import Invalid
from ..shops import service as shops
from ..web import caching
from ..web.blueprints import refuse_nul_in_path
from ..web.callers import resolve_public_key_id
from . import reads, words
from .words import Words

blp = Blueprint("ratings_badge", __name__, url_prefix="/api/v1/public/<public_key>",
                description="The star badge: an SVG for an <img> tag. Cacheable like the ratings.")
blp.before_request(lambda: refuse_nul_in_path(request.view_args))

# Bumped when the drawing changes, so that clients holding an old badge's ETag get the new one.
FORMAT = 2
COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
DEFAULTS = {"star": "#f5a623", "empty": "#d5d5d5", "text": "#333333"}

STAR_SIZE = 20
STAR_GAP = 2
# A five-pointed star in a 20 x 20 box.
STAR_PATH = "M10 1.2l2.7 5.5 6 .9-4.35 4.25 1.03 6L10 15.03 4.62 17.85l1.03-6L1.3 7.6l6-.9z"
FONT = "Verdana,DejaVu Sans,Geneva,sans-serif"
FONT_SIZE = 12

# Approximate advances of Verdana at 12 px: enough to size the badge to its text.
_NARROW = {".": 4.3, ",": 4.3, " ": 4.2, "(": 5.9, ")": 5.9, "'": 3.5, "i": 3.3, "l": 3.3, "j": 4.1,
           "f": 4.2, "t": 4.6, "r": 5.1}
_DIGIT = 7.6
_LETTER = 7.2
_WIDE = {"m": 11.1, "w": 9.8, "M": 10.4, "W": 11.9}


def text_width(text: str) -> float:
    """The rendered width of `text` in pixels, estimated from per-character advances."""
    width = 0.0
    for ch in text:
        if ch.isdigit():
            width += _DIGIT
        elif ch in _NARROW:
            width += _NARROW[ch]
        elif ch in _WIDE:
            width += _WIDE[ch]
        elif ch.isupper():
            width += 8.2
        else:
            width += _LETTER
    return width


def colour(value: str, name: str = "colour") -> str:
    """A hex colour, lower-cased; anything else is refused (it would end up inside the SVG)."""
    if not isinstance(value, str) or not COLOUR.fullmatch(value):
        raise ValueError(f"{name} must be a hex colour like #f5a623 or #fa2")
    return value.lower()


def label(average: float, count: int, lang: str = "en") -> str:
    """`Rated 4.3 out of 5 stars. Reviews: 12` (the widget's own words), or `0 reviews`."""
    words = Words(lang)
    if count <= 0:
        return words.plural("reviews_n", 0)
    return words.text("stars_label", avg=words.average(average), n=words.number(count))


def render_badge(average: float, count: int, *, star: str, empty: str, text: str,
                 lang: str = "en") -> str:
    """Five stars (the fractional one partly filled), the average and count beside them.

    `average` is the exact mean (it is rounded here for the text); colours must be hex colours.
    """
    star, empty, text = colour(star, "star"), colour(empty, "empty"), colour(text, "text")
    count = max(0, int(count))
    average = min(5.0, max(0.0, float(average))) if count else 0.0
    words = Words(lang)
    title = escape(label(average, count, lang))
    shown = f"{words.average(average)} ({words.number(count)})" if count else title

    shapes = []
    partial = None
    for n in range(5):
        fill = min(1.0, max(0.0, average - n))
        x = n * (STAR_SIZE + STAR_GAP)
        if fill >= 0.995:
            paint = star
        elif fill <= 0.005:
            paint = empty
        else:
            partial = round(fill * 100)
            paint = "url(#rv-part)"
        shapes.append(f'<path transform="translate({x} 0)" fill="{paint}" d="{STAR_PATH}"/>')
    defs = ""
    if partial is not None:
        # Two stops at the same offset make a hard edge: the star is filled up to the fraction.
        defs = (f'<defs><linearGradient id="rv-part"><stop offset="{partial}%" stop-color="{star}"/>'
                f'<stop offset="{partial}%" stop-color="{empty}"/></linearGradient></defs>')

    text_x = 5 * (STAR_SIZE + STAR_GAP) + 2
    width = math.ceil(text_x + text_width(shown) + 2)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{STAR_SIZE}" '
        f'viewBox="0 0 {width} {STAR_SIZE}" role="img" aria-label="{title}">'
        f"<title>{title}</title>{defs}<g>{''.join(shapes)}</g>"
        f'<text x="{text_x}" y="14.5" fill="{text}" font-family="{FONT}" font-size="{FONT_SIZE}">'
        f"{escape(shown)}</text></svg>"
    )


def parse_options(args) -> dict[str, str | None]:
    """The badge's query parameters: colours (422 naming the parameter if not hex) and language
    (one of the widget's, else None: the shop's default language). A language the widget does not
    speak is no error here: shops write their page's language into an `<img>` URL, and an image
    must draw, so a Swedish page gets the shop's default language, not a broken badge."""
    options = {}
    for name, default in DEFAULTS.items():
        raw = args.get(name)
        if raw is None or raw == "":
            options[name] = default
            continue
        try:
            options[name] = colour(raw, name)
        except ValueError:
            raise Invalid(f"{name} must be a hex colour like #f5a623 or #fa2 (URL-encode the #).",
                          field=name) from None
    options["lang"] = words.known(args.get("lang"))
    return options


_PARAMETERS = [
    {"in": "query", "name": name, "required": False,
     "schema": {"type": "string", "pattern": "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$", "default": default},
     "description": f"The {name} colour, #rgb or #rrggbb (URL-encoded: %23...)"}
    for name, default in DEFAULTS.items()
] + [{"in": "query", "name": "lang", "required": False,
      "schema": {"type": "string", "enum": list(words.languages())},
      "description": "Language of the accessible title, the numbers and the empty text: one of the "
                     "widget's languages (a regional tag such as pt-BR reads as pt). Absent, or a "
                     "language the widget does not speak: the shop's default language."}]


def _default_lang(sid: int) -> str | None:
    # The fast path replays a badge by its URL: a changed default language shows once the cached
    # answers of the shop end (RATING_CACHE_TTL), like any other answer without `lang`.
    return shops.settings_of(shops.get_shop(sid)).get("default_locale")


def badge_entry(sid: int, product_id: str, key: tuple[str, str, str, str | None]) -> caching.Cached:
    """The badge's SVG and ETag for `key` (star, empty, text colours; a widget language or None
    for the shop's default), uncached: the route caches it, the published badge is these bytes."""
    # The shop's default language is read only when the answer is computed, not per request.
    lang = key[3] or words.resolve(None, _default_lang(sid))
    rating = reads.product_rating(sid, product_id)
    # The exact mean, so that the text rounds once (4.249 -> 4.2, not 4.25 -> 4.3).
    mean = rating.total / rating.count if rating.count else 0.0
    svg = render_badge(mean, rating.count, star=key[0], empty=key[1], text=key[2], lang=lang)
    return caching.Cached(svg.encode(), caching.etag_for("badge", FORMAT, sid, product_id,
                                                       rating.version, key), "image/svg+xml")


@blp.route("/products/<path:product_id>/badge.svg")
@blp.doc(parameters=_PARAMETERS, responses={"200": {"description": "The badge",
                                                   "content": {"image/svg+xml": {}}}})
def badge(public_key, product_id):
    """The star badge of a product (an unknown product shows "No reviews yet")"""
    sid = resolve_public_key_id(public_key)
    options = parse_options(request.args)
    key = (options["star"], options["empty"], options["text"], options["lang"])
    response = caching.respond(caching.cached_entry(("badge", sid, product_id, key),
                                                     lambda: badge_entry(sid, product_id, key), by_url=True))
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, the SVG may load nothing and run nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
