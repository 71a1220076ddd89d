"""Server-side strings in the reader's language: the hosted pages and the e-mails.

The strings are gettext catalogs, served through Flask-Babel: `translations/<lang>/LC_MESSAGES/
messages.po` (the file a translation platform takes) and its compiled `messages.mo` (what is
served; `pybabel compile -d reviews_service/translations`, which leaves fuzzy entries out). Each
entry's msgctxt is the key the code asks for (`"review_page.title"`, `"error.expired.title"`),
its msgid the English text, so callers keep `translate(lang, key)` and translators see English.
A string with a number in it is a plural entry (msgid and msgid_plural, one msgstr for each of the
language's Plural-Forms, CLDR's rule): `translate(lang, key, count=n)` picks the form for `n`.
Numbers are filled in formatted for the language (Babel's CLDR data: 5,000, 5 000, 5.000).
The languages offered are those with a compiled catalog. A string a catalog lacks falls back to
English; a key no catalog has comes back as itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_app_context, has_request_context, request
from flask_babel import force_locale, get_translations

TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "messages"
DEFAULT = "en"
# Scripts written right to left, by language subtag (of these, Arabic has a catalog so far).
RTL = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"})

_TAG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
# How gettext joins a msgctxt and its msgid in a compiled catalog.
_CONTEXT_SEPARATOR = "\x04"


def _discover() -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")
                   if _TAG.match(p.parent.parent.name))
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


def select_locale() -> str:
    """Flask-Babel's locale selector: the language a page chose (`g.page_lang`, set by the hosted
    review page from its token's customer and shop), else `?lang=`, else `Accept-Language`."""
    chosen = g.get("page_lang")
    if chosen:
        return chosen
    if not has_request_context():
        return DEFAULT
    return negotiate(request.args.get("lang"), *accept_languages(request.accept_languages))


@cache
def _packaged(lang: str) -> NullTranslations:
    """The packaged compiled catalog of one supported language (outside an app: tests, scripts)."""
    return Translations.load(str(TRANSLATIONS), [lang], DOMAIN)


def _catalog(lang: str) -> NullTranslations:
    """The language's catalog: Flask-Babel's (its `BABEL_TRANSLATION_DIRECTORIES`), kept per app
    after the first use, inside an app that set it up; the packaged one elsewhere."""
    if not has_app_context() or "babel" not in current_app.extensions:
        return _packaged(lang)
    loaded = current_app.extensions.setdefault("reviews.catalogs", {})
    if lang not in loaded:
        with force_locale(lang):
            loaded[lang] = get_translations()
    return loaded[lang]


@cache
def _sources() -> Mapping[str, str | tuple[str, str]]:
    """Every key and its English text (msgid), from the English catalog's contexts; a plural
    entry's is its singular and plural (stored compiled under `(context\x04msgid, form)`)."""
    english = getattr(_packaged(DEFAULT), "_catalog", {})
    found: dict[str, str | tuple[str, str]] = {}
    for entry in english:
        if isinstance(entry, tuple) and entry[1] == 0 and _CONTEXT_SEPARATOR in entry[0]:
            key, singular = entry[0].split(_CONTEXT_SEPARATOR, 1)
            found[key] = (singular, english[(entry[0], 1)])
        elif isinstance(entry, str) and _CONTEXT_SEPARATOR in entry:
            key, text = entry.split(_CONTEXT_SEPARATOR, 1)
            found[key] = text
    return MappingProxyType(found)


def _forms(catalog: NullTranslations, key: str, english: tuple[str, str]) -> tuple[str, ...]:
    """A plural entry's forms in one catalog, in its Plural-Forms order (English's where it has none)."""
    table = getattr(catalog, "_catalog", {})
    entry = f"{key}{_CONTEXT_SEPARATOR}{english[0]}"
    forms = []
    while (entry, len(forms)) in table:
        forms.append(table[(entry, len(forms))])
    return tuple(forms) or english


def strings(lang: str) -> Mapping[str, str | tuple[str, ...]]:
    """Every string for `lang`, with English filling the keys its catalog lacks (read-only); a
    plural entry's are its forms."""
    lang = negotiate(lang)
    catalog = _catalog(lang)
    return MappingProxyType({key: _forms(catalog, key, text) if isinstance(text, tuple)
                             else catalog.pgettext(key, text) for key, text in _sources().items()})


def translate(lang: str, key: str, /, **params: object) -> str:
    """One string, with `{placeholders}` filled in; the key itself if no language has it.

    A plural entry's form is the one the language's Plural-Forms gives `count` (which it needs).
    Whole numbers are written the language's way. A translation with a broken placeholder falls
    back to English instead of failing the page."""
    english = _sources().get(key)
    if english is None:
        return key
    lang = negotiate(lang)
    catalog = _catalog(lang)
    if isinstance(english, tuple):
        count = params.get("count")
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f"{key} has plural forms: give its count, a whole number")
        text = catalog.npgettext(key, *english, count)
        english = english[0] if count == 1 else english[1]
    else:
        text = catalog.pgettext(key, english)
    if not params:
        return text
    shown = {name: format_decimal(value, locale=lang)
             if isinstance(value, int) and not isinstance(value, bool) else value
             for name, value in params.items()}
    try:
        return text.format_map(shown)
    except (KeyError, IndexError, ValueError):
        return english.format_map(shown)


def direction(lang: str) -> str:
    """`rtl` or `ltr`, for `<html dir>`."""
    return "rtl" if (lang or "").split("-", 1)[0].lower() in RTL else "ltr"


def native_name(lang: str) -> str:
    """The language's name in itself (`Հայերեն`, `ქართული`), for a language switcher."""
    english = _sources().get("language.name", "")
    entry = f"language.name{_CONTEXT_SEPARATOR}{english}"
    return getattr(_catalog(negotiate(lang)), "_catalog", {}).get(entry, lang) if lang in SUPPORTED else lang
