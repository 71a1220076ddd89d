"""E-mail addresses as the service stores and compares them; plumbing every room may import."""

from __future__ import annotations

import re
from typing import Any


def normalize_email(email: str | None) -> str:
    """The address as stored and looked up: trimmed and lower-cased, so one person has one key."""
    return (email or "").strip().lower()


# An address as people write one in a text: enough to find it, not to validate it.
_IN_TEXT = re.compile(r"[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
HIDDEN = "[e-mail address hidden]"


def without_emails(value: Any) -> Any:
    """`value` (an answer's JSON: dicts, lists, text) with every `email` field left out and every
    address inside a text replaced by HIDDEN: what a caller that may not read addresses gets."""
    if isinstance(value, str):
        return _IN_TEXT.sub(HIDDEN, value)
    if isinstance(value, dict):
        return {k: without_emails(v) for k, v in value.items() if k != "email"}
    if isinstance(value, list | tuple):
        return [without_emails(v) for v in value]
    return value
