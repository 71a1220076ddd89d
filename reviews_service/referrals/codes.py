"""Referral codes: `ANA-K7P3Q`, a name part and a random part, one per customer and shop.

The random part is drawn with `secrets` from 32 characters without 0/O and 1/I. No code holds the
digits 0 or 1 at all, so a code typed or read back with them is mapped to O and I without
ambiguity: "ANA-K7P3Q", "ana k7p3q" and "ana-k7p3q" are the same code.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from anyascii import anyascii
from sqlalchemy import select

from ..catalog import names
from ..catalog.models import Customer
from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from .models import ReferralCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32: A-Z without I and O, 2-9
RANDOM_LENGTH = 5  # 32^5 = 33.5 million codes per name part
NAME_MAX = 8
FALLBACK_NAME = "FRIEND"  # for a name that transliterates to no letters at all
ATTEMPTS = 8


def name_part(name: str | None) -> str:
    """A first name in Latin letters, upper case: "Zoë Ann" -> "ZOE", "Անի" -> "ANI", "Дмитрий" ->
    "DMITRIY". anyascii transliterates every script (Armenian, Georgian, Lao, Cyrillic, Arabic,
    CJK); only letters A-Z are kept, which `canonical` reads back unambiguously."""
    first = (name or "").strip().split(" ")[0]
    # Letters and their marks only: anyascii spells other symbols out (an emoji as ":grinning:").
    spelled = anyascii("".join(c for c in first if unicodedata.category(c)[0] in "LM"))
    letters = re.sub(r"[^A-Za-z]", "", spelled).upper()[:NAME_MAX]
    return letters or FALLBACK_NAME


def new_code(name: str | None) -> str:
    """A fresh code for someone of this first name."""
    return f"{name_part(name)}-{''.join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))}"


def canonical(text: str | None) -> str | None:
    """A code as someone typed it, in its stored form; None when it cannot be a code."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    squeezed = re.sub(r"[\s\-_.]", "", text.upper()).replace("0", "O").replace("1", "I")
    if not re.fullmatch(rf"[A-Z]{{1,{NAME_MAX}}}[{ALPHABET}]{{{RANDOM_LENGTH}}}", squeezed):
        return None
    return f"{squeezed[:-RANDOM_LENGTH]}-{squeezed[-RANDOM_LENGTH:]}"


def find(shop_id: int, text: str | None) -> ReferralCode | None:
    """The active code a shopper typed or a link carried, in any spelling `canonical` accepts."""
    code = canonical(text)
    if code is None:
        return None
    return db.session.scalar(select(ReferralCode).where(
        ReferralCode.shop_id == shop_id, ReferralCode.code == code, ReferralCode.disabled_at.is_(None)))


def of_customer(shop_id: int, customer_id: int) -> ReferralCode | None:
    return db.session.scalar(select(ReferralCode).where(ReferralCode.shop_id == shop_id,
                                                        ReferralCode.customer_id == customer_id))


def code_for(shop: Shop, customer: Customer, *, create: bool = True) -> ReferralCode | None:
    """The customer's code, created when first needed (inside the caller's transaction).

    ON CONFLICT DO NOTHING covers both unique keys: a concurrent creation for the same customer
    waits for the other transaction and then finds its row; a code another customer holds comes
    back as nothing inserted, and a new random part is drawn.
    """
    existing = of_customer(shop.id, customer.id)
    if existing is not None or not create:
        return existing
    for _ in range(ATTEMPTS):
        inserted = db.session.execute(_insert_unless_taken(
            {"shop_id": shop.id, "customer_id": customer.id, "code": new_code(names.first_name(names.of_customer(customer))),
             "created_at": utcnow()})).first()
        if inserted is not None:
            return db.session.get(ReferralCode, inserted.id)
        existing = of_customer(shop.id, customer.id)
        if existing is not None:
            return existing
    raise RuntimeError(f"no free referral code after {ATTEMPTS} attempts")  # 1 in 33 million, 8 times


def _insert_unless_taken(values: dict):
    """`INSERT ... ON CONFLICT DO NOTHING` without a conflict target, so that it covers both the
    code's and the customer's unique key (`models_base.insert_ignore` names one target)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(ReferralCode).values(**values).on_conflict_do_nothing().returning(ReferralCode.id)


def share_url(template: str, code: ReferralCode) -> str:
    return template.replace("{code}", code.code)
