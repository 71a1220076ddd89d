"""Server-side strings in the reader's language: the hosted pages and the e-mails.

One folder per area under `locales/` (`server/` for the pages, `email/` for the e-mails), one flat
JSON file per language in each, keys namespaced by who uses them (`"review_page.title"`,
`"error.expired.title"`). A language's strings are all its areas' files merged; the languages
offered are those of `locales/server/`. A missing key falls back to English rather than to nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

LOCALES = Path(__file__).parent / "locales" / "server"
DEFAULT = "en"
# Scripts written right to left, by language subtag (none is translated yet; the page is ready).
RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"})

_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def _discover() -> tuple[str, ...]:
    found = sorted(p.stem for p in LOCALES.glob("*.json") if _TAG.match(p.stem))
    return (DEFAULT, *[code for code in found if code != DEFAULT])


SUPPORTED: tuple[str, ...] = _discover()


def match(tag: str | None) -> str | None:
    """The supported language for one tag (`hy`, `hy-AM`, `pt_BR`, `KA`), or None."""
    if not tag or not isinstance(tag, str):
        return None
    tag = tag.strip().replace("_", "-").lower()
    if not _TAG.match(tag):
        return None
    if tag in SUPPORTED:
        return tag
    base = tag.split("-", 1)[0]
    return base if base in SUPPORTED else None


def negotiate(*candidates: str | None) -> str:
    """The first candidate we have strings for, most wanted first; English when none is."""
    for candidate in candidates:
        found = match(candidate)
        if found:
            return found
    return DEFAULT


def accept_languages(header_values: Iterable[tuple[str, float]]) -> list[str]:
    """The tags of an `Accept-Language` header (werkzeug's `request.accept_languages`), best first."""
    return [tag for tag, quality in header_values if quality > 0 and tag != "*"]


@cache
def _load(lang: str) -> dict[str, str]:
    """The language's strings from every area's folder (`locales/server/`, `locales/email/`)."""
    if lang not in SUPPORTED:
        return {}
    data: dict[str, str] = {}
    for path in sorted(LOCALES.parent.glob(f"*/{lang}.json")):
        area = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(area, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in area.items()):
            raise ValueError(f"{path} must map string keys to string values")
        data.update(area)
    return data


def strings(lang: str) -> Mapping[str, str]:
    """Every string for `lang`, with English filling the keys its file lacks (read-only)."""
    # Negotiated first, so that the cache holds one entry per supported language, whatever callers pass.
    return _merged(negotiate(lang))


@cache
def _merged(lang: str) -> Mapping[str, str]:
    return MappingProxyType({**_load(DEFAULT), **_load(lang)})


def translate(lang: str, key: str, /, **params: object) -> str:
    """One string, with `{placeholders}` filled in; the key itself if no language has it.

    A translation with a broken placeholder falls back to English instead of failing the page."""
    text = strings(lang).get(key, key)
    if not params:
        return text
    try:
        return text.format_map(params)
    except (KeyError, IndexError, ValueError):
        return strings(DEFAULT).get(key, key).format_map(params)


def direction(lang: str) -> str:
    """`rtl` or `ltr`, for `<html dir>`."""
    return "rtl" if (lang or "").split("-", 1)[0].lower() in RTL else "ltr"


def native_name(lang: str) -> str:
    """The language's name in itself (`Հայերեն`, `ქართული`), for a language switcher."""
    return _load(lang).get("language.name", lang)
