"""The referral program's offers in the reader's language.

An offer is a kind (`percent`, `amount`, `free_shipping`), a value and a currency, and the shop's
own description of it: one text, or one per language. A shop that leaves the description empty gets
words built from the kind and value, which each language's catalog words itself
(`offer.<side>.<kind>`: "{percent} off your first order", "10 % de réduction sur votre première
commande"), the number formatted by CLDR for that language (Babel): "10%", "10 %", "€10", "10 €".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.numbers import format_currency, format_percent, get_currency_precision, list_currencies

from .. import i18n

KINDS = ("percent", "amount", "free_shipping")
SIDES = ("friend_offer", "referrer_reward")


def text(offer: Mapping[str, Any], side: str, lang: str | None, default_lang: str) -> str:
    """What the offer says to a reader of `lang` (None: the shop's default language): the shop's
    text in `lang`, else in its default language, else its first text; with no text at all, the
    words of the offer's kind and value in the reader's language."""
    lang = i18n.negotiate(lang, default_lang)
    description = offer.get("description") or ""
    if isinstance(description, dict):
        found = (description.get(lang) or description.get(i18n.negotiate(default_lang))
                 or next(iter(description.values()), ""))
    else:
        found = description
    return found or worded(side, offer.get("kind"), offer.get("value"), offer.get("currency"), lang)


def worded(side: str, kind: str | None, value: str | None, currency: str | None, lang: str) -> str:
    """The offer's words in `lang` (a language i18n speaks), from its kind and value."""
    if side not in SIDES or kind not in KINDS:
        return ""
    lang = i18n.negotiate(lang)
    params: dict[str, str] = {}
    if kind == "percent":
        params["percent"] = percent(Decimal(value or 0), lang)
    elif kind == "amount":
        params["amount"] = amount(Decimal(value or 0), currency or "", lang)
    return i18n.translate(lang, f"offer.{side}.{kind}", **params)


def percent(value: Decimal, lang: str) -> str:
    """`10` -> "10%" (en), "10 %" (fr), "12,5%" (hy): CLDR's percent pattern, no decimals invented."""
    return format_percent(value.normalize() / 100, locale=lang, decimal_quantization=False)


def amount(value: Decimal, currency: str, lang: str) -> str:
    """`10` EUR -> "€10" (en), "10 €" (fr); `7.5` -> "€7.50": a whole amount without its cents."""
    if value == value.to_integral_value():
        return format_currency(value, currency, _whole_pattern(lang), locale=lang, currency_digits=False)
    return format_currency(value, currency, locale=lang)


@cache
def _whole_pattern(lang: str) -> str:
    """The language's currency pattern without the fraction digits (`¤#,##0.00` -> `¤#,##0`)."""
    return re.sub(r"0\.0+", "0", Locale.parse(lang).currency_formats["standard"].pattern)


@cache
def currencies() -> frozenset[str]:
    """The ISO 4217 codes CLDR has names and symbols for."""
    return frozenset(list_currencies())


def problem(kind: str, value: str | None, currency: str | None) -> tuple[str, str] | None:
    """What does not make sense in an offer, as (field, message), or None: a percentage from 0 to
    100 without a currency; an amount with a currency CLDR knows, in no finer unit than it has; free
    shipping with neither value nor currency."""
    number = None if value is None else Decimal(value)
    if kind == "free_shipping":
        if number is not None and number != 0:
            return "value", "Free shipping takes no value; send null."
        if currency is not None:
            return "currency", "Free shipping takes no currency; send null."
        return None
    if number is None or number <= 0:
        return "value", "Must be more than 0."
    if kind == "percent":
        if number > 100:
            return "value", "A percentage is at most 100."
        if currency is not None:
            return "currency", "A percentage takes no currency; send null."
        return None
    if not currency:
        return "currency", "An amount needs its currency."
    if currency not in currencies():
        return "currency", "Not a currency code CLDR knows (ISO 4217, like EUR)."
    digits = get_currency_precision(currency)
    if number != round(number, digits):
        return "value", f"{currency} has {digits} decimal places; this amount has more."
    return None
