"""Rating aggregates: atomic adjustment by the status transition, and the recount that checks them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select, update

from .. import events
from ..extensions import db
from ..models_base import insert_ignore
from ..reviews.models import Review
from .models import ProductRating, ShopRating

COUNT_FIELDS = ("count", "total", "n1", "n2", "n3", "n4", "n5", "verified_count")


def adjust(shop_id: int, product_id: int, rating: int, verified: bool, sign: int) -> None:
    """Add (sign=+1) or remove (sign=-1) one published review, as `n = n + 1` in the database:
    never read, add and write back, so that concurrent transitions cannot lose a count. Announced
    as `events.product_rating_changed`, in the same transaction."""
    for model, key in ((ProductRating, {"product_id": product_id, "shop_id": shop_id}),
                       (ShopRating, {"shop_id": shop_id})):
        db.session.execute(insert_ignore(model, {**key, **dict.fromkeys(COUNT_FIELDS, 0), "version": 0},
                                         list(key)[:1]))
        star = getattr(model, f"n{rating}")
        where = [getattr(model, k) == v for k, v in key.items()]
        values = {
            "count": model.count + sign,
            "total": model.total + sign * rating,
            f"n{rating}": star + sign,
            "version": model.version + 1,
        }
        if verified:
            values["verified_count"] = model.verified_count + sign
        db.session.execute(update(model).where(*where).values(**values))
    events.product_rating_changed.send(shop_id, product_id=product_id)


@dataclass
class Difference:
    scope: str  # "shop <id>" or "product <id>"
    stored: dict
    actual: dict


def _recount_query(group_by):
    cols = [
        func.count().label("count"),
        func.coalesce(func.sum(Review.rating), 0).label("total"),
        *[func.sum(case((Review.rating == n, 1), else_=0)).label(f"n{n}") for n in range(1, 6)],
        func.sum(case((Review.verified_buyer.is_(True), 1), else_=0)).label("verified_count"),
    ]
    return select(*group_by, *cols).where(Review.status == "published").group_by(*group_by)


def recount(fix: bool = False) -> list[Difference]:
    """Compare every aggregate with a full recount of published reviews; repair them if asked."""
    diffs: list[Difference] = []
    zero = dict.fromkeys(COUNT_FIELDS, 0)
    plans = (
        (ProductRating, ("product_id", "shop_id"), [Review.product_id, Review.shop_id]),
        (ShopRating, ("shop_id",), [Review.shop_id]),
    )
    for model, keys, group_by in plans:
        actual = {tuple(row[:len(keys)]): {f: int(row._mapping[f] or 0) for f in COUNT_FIELDS}
                  for row in db.session.execute(_recount_query(group_by))}
        stored = {tuple(getattr(r, k) for k in keys): {f: getattr(r, f) for f in COUNT_FIELDS}
                  for r in db.session.scalars(select(model))}
        for key in sorted(set(actual) | set(stored)):
            want, have = actual.get(key, zero), stored.get(key, zero)
            if want == have:
                continue
            diffs.append(Difference(f"{model.__tablename__[:-8]} {key[0]}", have, want))
            if fix:
                ident = dict(zip(keys, key, strict=True))
                db.session.execute(insert_ignore(model, {**ident, **zero, "version": 0}, [keys[0]]))
                db.session.execute(update(model).where(*[getattr(model, k) == v for k, v in ident.items()])
                                   .values(**want, version=model.version + 1))
    if fix:
        db.session.commit()
    return diffs
