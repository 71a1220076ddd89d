"""Signed webhooks: endpoints per shop, Stripe-style signatures, and delivery with a timeout.

Signature header: `Reviews-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`.
A receiver recomputes it over the raw body, compares in constant time, and rejects old `t` values
(replays); it deduplicates on the event id (`Reviews-Event-Id`, also `id` in the body).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import unicodedata
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from sqlalchemy import select

from ..errors import Invalid, NotFound
from ..extensions import db
from ..shops.models import Shop
from .models import WebhookEndpoint

SIGNATURE_HEADER = "Reviews-Signature"
EVENT_HEADER = "Reviews-Event-Id"
EVENTS = ("review.created", "review.published", "review.rejected", "review.low_rating", "review.incentive_earned",
          "review.updated", "review.withdrawn",
          "order.processed",
          "referral.created", "referral.approved", "referral.rejected", "referral.reward_earned",
          "referral.flagged", "feedback.received",
          "loyalty.points_earned", "loyalty.tier_changed", "loyalty.reward_redeemed")
TIMEOUT = 10.0


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def verify(secret: str, body: bytes, header: str, *, tolerance: int = 300, now: int | None = None) -> bool:
    """What a receiver does (the README shows the same in a few lines)."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        t = int(fields["t"])
    except (ValueError, KeyError):
        return False
    if abs((int(time.time()) if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


# --- endpoints -----------------------------------------------------------------------------------

# IPv6 prefixes whose last 32 bits are an IPv4 address that a translator or tunnel connects to:
# NAT64 (RFC 6052) and the deprecated IPv4-compatible form. 6to4 and IPv4-mapped have properties.
_EMBEDS_IPV4 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))
# NAT64's local-use prefix (RFC 8215) translates inside the operator's own network.
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")


def non_public(address: str) -> str | None:
    """Why `address` is no place for a webhook (it is not on the public internet), or None.
    An IPv6 address that carries an IPv4 one (NAT64, 6to4, mapped) is judged by that IPv4
    address: `64:ff9b::7f00:1` reaches 127.0.0.1 through the translator."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and not (ip.is_loopback or ip.is_unspecified):
        if ip in _LOCAL_NAT64:
            return f"{ip}, a local NAT64 address"
        embedded = ip.ipv4_mapped or ip.sixtofour or next(
            (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) for net in _EMBEDS_IPV4 if ip in net), None)
        if embedded is not None:
            return None if embedded.is_global else f"{ip}, which is {embedded}"
    return None if ip.is_global else str(ip)


def _check_url(url: str) -> str:
    # Control, format (bidi, soft hyphen) and separator characters have no place in a URL: they
    # would hide its real target from the shop reading it in the admin, the logs or a terminal.
    hidden = next((ch for ch in url if unicodedata.category(ch)[0] in "CZ" and ch != " "), None)
    if hidden is not None or " " in url:
        shown = f"U+{ord(hidden):04X}" if hidden is not None else "a space"
        raise Invalid(f"The webhook url may not hold {shown}.", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid("A webhook URL must be an http(s) URL.", field="url")
    if parts.scheme == "http" and not current_app.config["WEBHOOK_ALLOW_HTTP"]:
        raise Invalid("A webhook URL must use https.", field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Invalid("The port of the webhook URL is not a number from 1 to 65535.", field="url") from None
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        _refuse_non_public(parts.hostname, port)
    return url


def _refuse_non_public(host: str, port: int) -> None:
    """At creation: an address, or a name that resolves now, into our own network is refused.
    A name not (yet) in the DNS is taken; delivery checks the address again on every attempt."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return
    for info in infos:
        why = non_public(info[4][0])
        if why:
            where = why if why.startswith(host.strip("[]")) else f"{host} resolves to {why}"
            raise Invalid(f"The webhook url must point to a public address, not into our own network: "
                          f"{where}.", field="url")


def _checked_address(host: str, port: int) -> str:
    """The address to connect to: the first one `host` resolves to, refused if it is not a
    public address (SSRF into the service's own network) unless the operator allows that."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos:
        raise ConnectionError(f"{host} does not resolve")
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        for info in infos:
            why = non_public(info[4][0])
            if why:
                raise ConnectionRefusedError(f"{host} resolves to a non-public address ({why})")
    return infos[0][4][0]


class PinnedAddress(HTTPAdapter):
    """Connects to the address that was checked, not to whatever the name resolves to a moment
    later (DNS rebinding would otherwise pass the check with a public address and connect to a
    private one). The Host header, TLS SNI and the certificate check all keep the name."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name = host_params["host"]
        host_params["host"] = self.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = name
            pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs


def _pinned(session: requests.Session, prefix: str, address: str) -> None:
    """Send `prefix` through an adapter pinned to `address`; the same one while the address
    stays (its connections are kept alive), a new one when it moves (the old one closed)."""
    adapter = session.adapters.get(prefix)
    if isinstance(adapter, PinnedAddress) and adapter.address == address:
        return
    if adapter is not None:
        adapter.close()
    session.mount(prefix, PinnedAddress(address))


def create_endpoint(shop: Shop, url: str, events: list[str], description: str = "") -> WebhookEndpoint:
    unknown = sorted(set(events) - set(EVENTS) - {"*"})
    if unknown:
        raise Invalid(f"Unknown events: {', '.join(unknown)}. Known: {', '.join(EVENTS)}.",
                      field="events")
    endpoint = WebhookEndpoint(public_id="we_" + secrets.token_urlsafe(12), shop_id=shop.id,
                               url=_check_url(url), secret="whsec_" + secrets.token_urlsafe(32),
                               events=sorted(set(events)), description=description)
    db.session.add(endpoint)
    db.session.commit()
    return endpoint


def endpoints(shop: Shop) -> list[WebhookEndpoint]:
    return list(db.session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.shop_id == shop.id)
                                   .order_by(WebhookEndpoint.id)))


def get_endpoint(shop: Shop, public_id: str) -> WebhookEndpoint:
    """A webhook endpoint of this shop by its public id; NotFound for another shop's or an unknown id."""
    endpoint = db.session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.shop_id == shop.id, WebhookEndpoint.public_id == public_id))
    if endpoint is None:
        raise NotFound("No webhook endpoint with this id in this shop.")
    return endpoint


def delete_endpoint(shop: Shop, public_id: str) -> None:
    db.session.delete(get_endpoint(shop, public_id))
    db.session.commit()


# --- delivery ------------------------------------------------------------------------------------

def deliver(endpoint: WebhookEndpoint, payload: dict[str, Any], session: requests.Session | None = None) -> None:
    """POST the event; any answer but 2xx, and any timeout, raises so that the outbox retries."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    parts = urlsplit(endpoint.url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _checked_address(parts.hostname or "", port)
    headers = {"Content-Type": "application/json", "User-Agent": "reviews-service-webhooks/1",
               "Host": parts.netloc.rpartition("@")[2],
               SIGNATURE_HEADER: sign(endpoint.secret, body), EVENT_HEADER: payload["id"]}
    http = session or requests.Session()
    _pinned(http, f"{parts.scheme}://{parts.netloc}/", address)
    try:
        response = http.post(endpoint.url, data=body, headers=headers, timeout=TIMEOUT,
                             allow_redirects=False)
    finally:
        if session is None:
            http.close()
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{endpoint.url} answered {response.status_code}")
