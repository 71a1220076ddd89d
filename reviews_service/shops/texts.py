"""The shop's own texts in its settings: one text, or one per language; and amounts kept as strings."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from .. import i18n
from ..schemas import Money, StrictSchema
from . import offers


class ShopText(fields.Field):
    """The shop's own text: a string for every language, or an object of language to text, its
    languages those the service speaks (`hy`, `hy-AM` is kept as `hy`)."""

    def __init__(self, max_length: int, *, allow_empty: bool = True, when_empty: str = "", **kwargs):
        super().__init__(**kwargs, metadata={"description": (
            f"One text for every language, or an object of language to text (at most {max_length} "
            "characters each); a language without its own text reads the shop's default language's."
            + (f" {when_empty}" if when_empty else ""))})
        self.max_length, self.allow_empty = max_length, allow_empty

    def _text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValidationError("Not a text.")
        value = value.strip()
        if not value and not self.allow_empty:
            raise ValidationError("Must not be empty.")
        if len(value) > self.max_length:
            raise ValidationError(f"At most {self.max_length} characters.")
        if _CONTROL.search(value.replace("\n", "")):
            raise ValidationError("No control characters (line breaks are allowed).")
        return value

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            return self._text(value)
        if not value and not self.allow_empty:
            raise ValidationError("Must hold at least one language.")
        texts, errors = {}, {}
        for tag, text in value.items():
            lang = i18n.match(tag)
            try:
                if lang is None:
                    raise ValidationError(f"Not a language this service speaks: one of {', '.join(i18n.SUPPORTED)}.")
                texts[lang] = self._text(text)
            except ValidationError as error:
                errors[str(tag)] = error.messages
        if errors:
            raise ValidationError(errors)
        return {lang: text for lang, text in texts.items() if text}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class AmountString(Money):
    """An amount kept as its two-decimal string ("10.00"), because settings are stored as JSON."""

    def deserialize(self, *args, **kwargs):
        value = super().deserialize(*args, **kwargs)  # validated as a Decimal first
        return None if value is None else str(value)


class OfferFields(StrictSchema):
    """What an offer is (a referral's side, a review incentive): the shop's text as `description`, or
    when it is empty, words built from kind and value in each reader's language (offers.py)."""

    description = ShopText(200, load_default="", when_empty=(
        "Empty or left out: worded from kind and value in each reader's language."))
    kind = fields.String(required=True, validate=validate.OneOf(offers.KINDS))
    value = AmountString(required=True, allow_none=True)
    currency = fields.String(required=True, allow_none=True,
                             validate=validate.Regexp(r"^[A-Z]{3}$", error="An ISO 4217 code like EUR."))

    @validates_schema
    def _value_fits_kind(self, data, **_):
        """A percentage from 0 to 100, an amount in a currency, free shipping without either."""
        if data.get("kind") is not None:
            wrong = offers.problem(data["kind"], data.get("value"), data.get("currency"))
            if wrong:
                raise ValidationError(wrong[1], wrong[0])
