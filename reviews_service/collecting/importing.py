"""Reviews in: import from another platform's CSV export.

An import never filters by stars. Each row is stored, or refused for a stated reason about the
row itself (unknown product, no rating, a bad date, a duplicate...); stored rows get their status
from the moderation rules like any review, labelled `import`, never verified. The report sets the
star distribution of the rows received beside that of the rows stored, to show it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..catalog.models import Product
from ..email_addresses import normalize_email
from ..errors import Invalid
from ..extensions import db
from ..models_base import utcnow
from ..moderation import service as moderation
from ..reviews.models import Reply, Review
from ..shops.models import Shop
from ..shops.service import settings_of
from . import import_formats as formats
from . import languages
from .service import _staff, new_public_id

MAX_ROWS = 50_000
COMMIT_EVERY = 200
LIMITS = {"title": 150, "body": 5000, "name": 100, "reply": 5000}
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass
class ImportReport:
    format: str
    rows_read: int = 0
    stored: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)  # (row number, why); the header is row 1
    received_histogram: dict[str, int] = field(default_factory=lambda: dict.fromkeys("12345", 0))
    stored_histogram: dict[str, int] = field(default_factory=lambda: dict.fromkeys("12345", 0))
    statuses: dict[str, int] = field(default_factory=dict)  # of the stored rows: published, pending...
    photos_not_fetched: int = 0  # photo URLs in the file: listed, never downloaded

    def as_dict(self) -> dict[str, Any]:
        return {"format": self.format, "rows_read": self.rows_read, "stored": self.stored,
                "refused": [{"row": n, "reason": why} for n, why in self.refused],
                "received_histogram": self.received_histogram, "stored_histogram": self.stored_histogram,
                "statuses": self.statuses, "photos_not_fetched": self.photos_not_fetched}


class Refused(Exception):
    """A row that is not stored, and why."""


# --- reading the file ----------------------------------------------------------------------------

def _text_of(source: str | bytes | IO) -> str:
    data = source.read() if hasattr(source, "read") else source
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Invalid("The file is not UTF-8 text: save it as \"CSV UTF-8\" and try again.",
                          field="file") from None
    return data.lstrip("\ufeff")


def _rows(text: str) -> Iterator[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    csv.field_size_limit(1_000_000)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise Invalid(f"The file is not valid CSV: {exc}.", field="file") from None


def _parse_rating(raw: str) -> int:
    raw = raw.strip()
    if not raw:
        raise Refused("missing rating")
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise Refused(f"rating is not a number: {raw[:20]!r}") from None
    if value != int(value):
        raise Refused(f"rating is not a whole number: {raw[:20]!r}")
    if not 1 <= value <= 5:
        raise Refused(f"rating out of range (1 to 5): {raw[:20]!r}")
    return int(value)


_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def parse_date(raw: str, now: datetime | None = None) -> datetime:
    """ISO 8601 (`2024-03-02`, `2024-03-02T10:12:00Z`, `2024-03-02 10:12:00 UTC`, with an offset)
    or day and month with slashes when they cannot be mistaken (`25/03/2024`, `03/25/2024`).
    Times without a zone are UTC."""
    text = raw.strip()
    if not text:
        raise Refused("missing date")
    cleaned = re.sub(r"\s*(UTC|GMT)$", "+00:00", text).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        parsed = _slashed(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    if parsed > (now or utcnow()):
        raise Refused(f"date in the future: {text[:40]!r}")
    if parsed.year < 1990:
        raise Refused(f"bad date: {text[:40]!r}")
    return parsed


def _slashed(text: str) -> datetime:
    match = _SLASHED.match(text)
    if not match:
        raise Refused(f"bad date: {text[:40]!r}")
    a, b, year = int(match[1]), int(match[2]), int(match[3])
    if a <= 12 and b <= 12 and a != b:
        raise Refused(f"ambiguous date (day and month could be either): {text[:40]!r}")
    day, month = (a, b) if a > 12 else (b, a)
    try:
        return datetime(year, month, day, int(match[4] or 0), int(match[5] or 0), int(match[6] or 0))
    except ValueError:
        raise Refused(f"bad date: {text[:40]!r}") from None


# --- matching products -----------------------------------------------------------------------------

class ProductIndex:
    """The shop's products by id, by handle (the last path segment of their URL) and by SKU."""

    def __init__(self, shop: Shop):
        self.by_id, self.by_handle, self.by_sku = {}, {}, {}
        rows = db.session.execute(select(Product.id, Product.external_id, Product.url, Product.sku)
                                  .where(Product.shop_id == shop.id).order_by(Product.id))
        for pk, external_id, url, sku in rows:
            self.by_id.setdefault(external_id, pk)
            if url:
                self.by_handle.setdefault(formats.handle_of(url), pk)
            if sku:
                self.by_sku.setdefault(sku.strip(), pk)

    def find(self, values: dict[str, str]) -> int:
        product_id = formats.shopify_id(values.get("product_id", ""))
        handle = values.get("handle", "").strip().lower() or formats.handle_of(values.get("product_url"))
        sku = values.get("sku", "").strip()
        for pk in (self.by_id.get(product_id) if product_id else None,
                   self.by_handle.get(handle) if handle else None,
                   self.by_id.get(handle) if handle else None,
                   self.by_sku.get(sku) if sku else None):
            if pk is not None:
                return pk
        named = ", ".join(f"{k} {v!r}" for k, v in (("id", product_id), ("handle", handle), ("sku", sku)) if v)
        raise Refused(f"unknown product ({named or 'no product named'})")


# --- the import ----------------------------------------------------------------------------------

def import_csv(shop: Shop, source: str | bytes | IO, *, fmt: str | None = None, actor: str) -> ImportReport:
    """Import another platform's CSV export (`fmt`: judgeme, yotpo, okendo, shopify; found from the
    header when None). Answers the report; raises Invalid for a file that is no such export."""
    rows = _rows(_text_of(source))
    header = next(rows, None)
    if not header:
        raise Invalid("The file is empty.", field="file")
    headers = [formats.normalize_header(h) for h in header]
    if fmt is not None and fmt not in formats.FORMATS:
        raise Invalid(f"Unknown format {fmt!r}: one of {', '.join(formats.FORMATS)}.", field="format")
    chosen = formats.FORMATS[fmt] if fmt else formats.detect(headers)
    if chosen is None:
        raise Invalid("The header matches none of the known exports (Judge.me, Yotpo, Okendo, Shopify "
                      f"Product Reviews); its columns are: {', '.join(h for h in headers if h)[:300]}.",
                      field="file")
    missing = chosen.missing(headers)
    if missing:
        raise Invalid(f"This {chosen.label} file lacks the column(s): {'; '.join(missing)}.", field="file")
    where = chosen.locate(headers)
    settings, products = settings_of(shop), ProductIndex(shop)
    report, now = ImportReport(format=chosen.name), utcnow()
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue  # a blank line is no row
        report.rows_read += 1
        if report.rows_read > MAX_ROWS:
            report.refused.append((number, f"over the limit of {MAX_ROWS} rows per import"))
            continue
        values = {f: (cells[i] if i < len(cells) else "") for f, i in where.items()}
        try:
            rating = _parse_rating(values.get("rating", ""))
            report.received_histogram[str(rating)] += 1
            review = _store(shop, values, rating, products, settings, now, number, chosen, actor)
        except Refused as why:
            report.refused.append((number, str(why)))
            continue
        report.stored += 1
        report.stored_histogram[str(rating)] += 1
        report.statuses[review.status] = report.statuses.get(review.status, 0) + 1
        report.photos_not_fetched += len([u for u in re.split(r"[\s,;|]+", values.get("photos", "")) if u])
        if report.stored % COMMIT_EVERY == 0:
            db.session.commit()
    db.session.commit()
    return report


def _text(values: dict[str, str], name: str, limit_key: str | None = None) -> str:
    value = values.get(name, "").strip()
    limit = LIMITS.get(limit_key or name)
    if limit and len(value) > limit:
        label = {"name": "reviewer name"}.get(limit_key or name, limit_key or name)
        raise Refused(f"{label} too long ({len(value)} characters, at most {limit})")
    return value


def _store(shop: Shop, values: dict[str, str], rating: int, products: ProductIndex, settings: dict,
           now: datetime, number: int, fmt: formats.Format, actor: str) -> Review:
    if any("\x00" in v for v in values.values()):
        raise Refused("contains a NUL character")
    product_id = products.find(values)
    created = parse_date(values.get("date", ""), now)
    title, body, name = _text(values, "title"), _text(values, "body"), _text(values, "name")
    if not (title or body) and not settings["allow_rating_only"]:
        raise Refused("no text, and the shop does not take reviews without text")
    email = normalize_email(values.get("email"))
    email = email if _EMAIL.match(email) and len(email) <= 254 else None
    reply = _text(values, "reply")
    _refuse_duplicate(product_id, email, name, body, created)
    review = Review(
        public_id=new_public_id(), shop_id=shop.id, product_id=product_id, rating=rating, title=title,
        body=body, author_name=name, email=email, locale=settings["default_locale"], status="pending",
        lang=languages.review_language(None, None, (title, body)),
        source="import", verified_buyer=False, incentivized=False, staff=_staff(email, settings),
        created_at=created, updated_at=now, published_at=created)
    try:
        with db.session.begin_nested():
            db.session.add(review)
            db.session.flush()
    except IntegrityError:
        raise Refused("duplicate: this product already has a review from this e-mail address") from None
    state = values.get("state", "").strip()
    moderation.record(review, "imported", actor=actor,
                      note=f"{fmt.label} row {number}" + (f", state there: {state[:40]}" if state else ""))
    # The published date is the file's; the rules decide the status, as for any new review.
    moderation.moderate_new(review, settings)
    if reply and values.get("reply_public", "").strip().lower() not in ("false", "0", "no"):
        try:
            replied = parse_date(values.get("reply_date", ""), now)
        except Refused:
            replied = created
        db.session.add(Reply(review_id=review.id, body=reply, created_at=replied, updated_at=replied))
        db.session.flush()
    return review


def _refuse_duplicate(product_id: int, email: str | None, name: str, body: str, created: datetime) -> None:
    """The same review imported twice (the same file again, or a row repeated) is refused."""
    if email is not None:
        taken = db.session.scalar(select(Review.public_id).where(
            Review.product_id == product_id, Review.email == email))
        if taken:
            raise Refused(f"duplicate: this product already has a review from this e-mail address ({taken})")
    same = db.session.scalar(select(Review.public_id).where(
        Review.product_id == product_id, Review.created_at == created, Review.author_name == name,
        Review.body == body).limit(1))
    if same:
        raise Refused(f"duplicate of review {same}")
