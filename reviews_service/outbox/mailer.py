"""SMTP delivery from `REVIEWS_SMTP_URL`: smtp:// (STARTTLS when the server offers it, or forced
with ?starttls=1), smtps:// (TLS from the first byte), with optional user:password."""

from __future__ import annotations

import functools
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit


class MailConfigError(ValueError):
    """REVIEWS_SMTP_URL cannot be used; the message says why."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    starttls: str  # "auto" (if offered), "always", "never"
    username: str | None
    password: str | None
    timeout: float


def parse_smtp_url(url: str, timeout: float = 15.0) -> SmtpSettings:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        # The URL may hold a password: the message shows it without.
        shown = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        raise MailConfigError(f"REVIEWS_SMTP_URL must look like smtp://user:pass@host:587, got {shown!r}")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["auto"])[0]
    starttls = {"1": "always", "true": "always", "0": "never", "false": "never"}.get(starttls, starttls)
    if starttls not in ("auto", "always", "never"):
        raise MailConfigError("starttls= must be auto, 1 or 0")
    tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if tls else 25)
        timeout = float(query.get("timeout", [timeout])[0])
    except ValueError as exc:  # a port out of range, a timeout that is not a number
        raise MailConfigError(f"REVIEWS_SMTP_URL: {exc}") from None
    if not timeout > 0:
        raise MailConfigError("REVIEWS_SMTP_URL: timeout= must be a number of seconds above 0")
    return SmtpSettings(host=parts.hostname, port=port, tls=tls,
                        starttls="never" if tls else starttls,
                        username=unquote(parts.username) if parts.username else None,
                        password=unquote(parts.password) if parts.password else None,
                        timeout=timeout)


@functools.cache
def _default_context() -> ssl.SSLContext:
    """One per process: building a context loads the system's CA certificates, which took the
    worker two thirds of each e-mail's sending time (a profile under bench/scale_out.py)."""
    return ssl.create_default_context()


def send(settings: SmtpSettings, message: EmailMessage, *, context: ssl.SSLContext | None = None) -> None:
    """Deliver one message; raises on any refusal so that the outbox retries it."""
    context = context or _default_context()
    if settings.tls:
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        client.ehlo()
        if not settings.tls and settings.starttls != "never":
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            elif settings.starttls == "always":
                raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
        if settings.username:
            client.login(settings.username, settings.password or "")
        refused = client.send_message(message)
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
