"""Rating aggregates, kept exact by the status transition with atomic UPDATEs.

`version` grows on every change: it is the ETag of the public rating answers.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db


class _Counts:
    count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)  # the sum of the stars
    n1: Mapped[int] = mapped_column(Integer, default=0)
    n2: Mapped[int] = mapped_column(Integer, default=0)
    n3: Mapped[int] = mapped_column(Integer, default=0)
    n4: Mapped[int] = mapped_column(Integer, default=0)
    n5: Mapped[int] = mapped_column(Integer, default=0)
    verified_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(BigInteger, default=0)

    @declared_attr.directive
    def __table_args__(cls):
        return (
            CheckConstraint("count >= 0 AND n1 >= 0 AND n2 >= 0 AND n3 >= 0 AND n4 >= 0 AND n5 >= 0 "
                            "AND verified_count >= 0", name="non_negative"),
            CheckConstraint("count = n1 + n2 + n3 + n4 + n5", name="histogram"),
        )


class ProductRating(_Counts, db.Model):
    __tablename__ = "product_ratings"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"),
                                            primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)


class ShopRating(_Counts, db.Model):
    __tablename__ = "shop_ratings"

    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
