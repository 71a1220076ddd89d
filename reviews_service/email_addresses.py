"""E-mail addresses as the service stores and compares them; plumbing every room may import."""

from __future__ import annotations


def normalize_email(email: str | None) -> str:
    """The address as stored and looked up: trimmed and lower-cased, so one person has one key."""
    return (email or "").strip().lower()
