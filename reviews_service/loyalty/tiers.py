"""Tiers: which one a member's rolling year reaches, what it multiplies, and the way to the next."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import i18n
from ..shops.settings import shop_text


def tier_for(tiers: list[dict[str, Any]], value: Decimal) -> dict[str, Any] | None:
    """The highest tier whose threshold `value` reaches (tiers go from lowest to highest), or None."""
    reached = [tier for tier in tiers if value >= tier["threshold"]]
    return reached[-1] if reached else None


def find(tiers: list[dict[str, Any]], tier_id: str | None) -> dict[str, Any] | None:
    return next((tier for tier in tiers if tier["id"] == tier_id), None)


def multiplier(program: dict[str, Any], tier_id: str | None) -> Decimal:
    """What an order's points are multiplied by for a member of `tier_id` (1 without a tier)."""
    tier = find(program["tiers"], tier_id)
    return Decimal(tier["multiplier"]) if tier else Decimal(1)


def view(tier: dict[str, Any] | None, lang: str, default_lang: str) -> dict[str, Any] | None:
    """A tier as the API shows it, its name and perks in `lang` (else the shop's language)."""
    if tier is None:
        return None
    return {"id": tier["id"], "name": shop_text(tier["name"], lang, default_lang), "threshold": tier["threshold"],
            "multiplier": tier["multiplier"], "perks": shop_text(tier["perks"], lang, default_lang)}


def progress(program: dict[str, Any], current: str | None, value: Decimal, lang: str,
             default_lang: str) -> dict[str, Any]:
    """Where the member stands on the way to the next tier: the basis, their value over the last
    12 months, the next tier and what is still missing (None at the top)."""
    lang = i18n.negotiate(lang, default_lang)
    ahead = [tier for tier in program["tiers"] if tier["threshold"] > value]
    following = ahead[0] if ahead else None
    shown = int(value) if program["tier_basis"] == "points" else value.quantize(Decimal("0.01"))
    missing = None
    if following is not None:
        gap = Decimal(following["threshold"]) - value
        missing = int(gap) if program["tier_basis"] == "points" else gap.quantize(Decimal("0.01"))
    return {"basis": program["tier_basis"], "value": str(shown), "next_tier": view(following, lang, default_lang),
            "missing": None if missing is None else str(missing)}
