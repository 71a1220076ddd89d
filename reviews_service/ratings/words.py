"""The fragment's and the badge's words in the reader's language, from the widget's catalogs.

The storefront surfaces say what the widget says, so they read the widget's language files
(`static/widget/locales/<lang>.json`, generated from `translations/<lang>/LC_MESSAGES/widget.po` by
`scripts/widget_catalogs.py`): one translation per string, whichever surface shows it, and a
language added to the widget is a language of the fragment and the badge. Numbers, percentages and
dates come from Babel's CLDR data, not from the browser or from a table of our own.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .. import i18n, packaged
from ..errors import Invalid

ENGLISH = "en"
_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


@cache
def languages() -> tuple[str, ...]:
    """The widget's languages (one file each), sorted."""
    folder = packaged.widget_files().joinpath("locales")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json")))


def resolve(raw: str | None, default: str | None) -> str:
    """The language of an answer: `lang` when given (`ka`, `pt-BR` reads as `pt`; anything else is
    a 422 naming `lang`), else the shop's default language, else English."""
    if raw is None or raw == "":
        base = (default or "").replace("_", "-").split("-")[0].lower()
        return base if base in languages() else ENGLISH
    base = raw.strip().replace("_", "-").split("-")[0].lower()
    if not _TAG.fullmatch(raw.strip()) or base not in languages():
        raise Invalid(f"lang must be one of the widget's languages: {', '.join(languages())}.",
                      field="lang")
    return base


def known(raw: str | None) -> str | None:
    """The widget language a `lang` value names (`pt-BR` reads as `pt`), or None for no value or
    one the widget does not speak: for answers that must draw something whatever they are given."""
    try:
        return resolve(raw, None) if raw else None
    except Invalid:
        return None


@cache
def _strings(lang: str) -> dict[str, Any]:
    with packaged.widget_files().joinpath("locales", f"{lang}.json").open(encoding="utf-8") as f:
        return json.load(f)


class Words:
    """One language's strings and formats: `words.text("policy")`, `words.plural("star_n", 3)`."""

    def __init__(self, lang: str):
        self.lang = lang
        self.dir = i18n.direction(lang)
        self._strings = _strings(lang)
        self._locale = Locale.parse(lang)

    def text(self, key: str, **params: Any) -> str:
        return self._strings[key].format_map(params)

    def plural(self, key: str, n: int, **params: Any) -> str:
        forms = self._strings[key]
        form = forms.get(self._locale.plural_form(n)) or forms["other"]
        return form.format_map({"n": self.number(n), **params})

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.lang)

    def average(self, value: float | Decimal) -> str:
        """One decimal, half up (4.25 -> 4.3), with the language's decimal separator."""
        rounded = Decimal(repr(value) if isinstance(value, float) else value).quantize(
            Decimal("0.1"), ROUND_HALF_UP)
        return format_decimal(rounded, format="#,##0.0", locale=self.lang)

    def percent(self, part: int, whole: int) -> str:
        return format_percent(round(100 * part / whole) / 100 if whole else 0, locale=self.lang)

    def date(self, value: date) -> str:
        return format_date(value, format="medium", locale=self.lang)
