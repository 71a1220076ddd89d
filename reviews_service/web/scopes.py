"""What a secret key may do: its scopes, and the scope each server API operation needs.

A blueprint names the scope of its operations (`server_blueprint(..., scope=...)`); an operation
that needs another says so with `@requires(...)`. The check runs before the view, beside the key's
authentication, so a view never runs for a key that may not call it; the same table writes the
OpenAPI document's `security` (app factory), so what the document says is what the check does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app, request

from ..errors import Forbidden

# `all` is every scope, today's and tomorrow's: the keys made before scopes existed have it.
SCOPES = ("orders", "moderation", "privacy", "all")
DESCRIPTIONS = {
    "orders": "products, orders and their events, reviews for sync, referrals, coupons and the loyalty programme",
    "moderation": "the moderation queue, decisions, public replies, review history; never an e-mail address",
    "privacy": "a reviewer's data exported or erased",
    "all": "everything, the shop's settings and webhooks included",
}
# Scopes whose callers may read reviewers' e-mail addresses: the shop's backend sends them in its
# orders, and privacy requests are about them. A moderation tool never needs one.
SEES_EMAILS = frozenset({"orders", "privacy", "all"})

_ATTRIBUTE = "_required_scopes"
_DEFAULTS: dict[str, tuple[str, ...]] = {}


def requires(*scopes: str) -> Callable:
    """Mark a view (or a MethodView's method) as needing one of `scopes` (`all` always does)."""
    unknown = set(scopes) - set(SCOPES)
    if not scopes or unknown:
        raise ValueError(f"Unknown scopes {sorted(unknown)}; scopes are {', '.join(SCOPES)}.")

    def mark(view):
        setattr(view, _ATTRIBUTE, tuple(scopes))
        return view

    return mark


def blueprint_scope(blueprint_name: str, scopes: Iterable[str]) -> None:
    """The scopes a blueprint's operations need unless an operation says otherwise."""
    _DEFAULTS[blueprint_name] = tuple(scopes)


def required(endpoint: str, method: str) -> tuple[str, ...]:
    """The scopes that let a key call `method` on `endpoint`; an operation nobody declared needs
    `all`, so that a new route is closed until its scope is chosen."""
    view = current_app.view_functions.get(endpoint)
    handler = view
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        name = method.lower()
        handler = getattr(view_class, name, None) or (getattr(view_class, "get", None) if name == "head" else None)
    declared = getattr(handler, _ATTRIBUTE, None)
    if declared is None:
        declared = _DEFAULTS.get(endpoint.rpartition(".")[0], ("all",))
    return tuple(dict.fromkeys((*declared, "all")))


def grants(held: Iterable[str], needed: Iterable[str]) -> bool:
    held = set(held)
    return "all" in held or bool(held & set(needed))


def check(held: Iterable[str]) -> None:
    """Refuse (403, naming the scope) a key whose scopes do not cover this request's operation."""
    held = tuple(held)
    needed = required(request.endpoint or "", request.method)
    if not grants(held, needed):
        missing = [s for s in needed if s != "all"] or ["all"]
        raise Forbidden(f"This key's scopes ({', '.join(held) or 'none'}) do not include "
                        f"{' or '.join(missing)}, which this operation needs; use a key with that scope.",
                        field="scope")


def sees_emails(held: Iterable[str]) -> bool:
    """Whether a key with these scopes may read e-mail addresses."""
    return bool(set(held) & SEES_EMAILS)


def parse(text: str | Iterable[str]) -> tuple[str, ...]:
    """Scopes from a comma- or space-separated list, or a list; unknown ones raise ValueError.
    `all` beside another scope is just `all`."""
    items = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    unknown = [s for s in items if s not in SCOPES]
    if unknown:
        raise ValueError(f"Unknown scope {unknown[0]!r}: choose from {', '.join(SCOPES)}.")
    if not items:
        raise ValueError(f"Choose at least one scope: {', '.join(SCOPES)}.")
    if "all" in items:
        return ("all",)
    return tuple(s for s in SCOPES if s in items)
