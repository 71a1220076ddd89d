"""Language tags on reviews: a review's `lang` is the primary language subtag of the language it
is written in (`pt`, not `pt-BR`), so that a reader's tag, regional or not, finds it."""

from __future__ import annotations

import re

from marshmallow import validate

_TAG = r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$"
LANG = validate.Regexp(_TAG, error="Not a language tag like hy, en or pt-BR.")


def primary_language(tag: str) -> str:
    """`pt-BR` -> `pt`, `ZH_hant` -> `zh`: the language, lower-case."""
    return re.split(r"[-_]", tag, maxsplit=1)[0].lower()
