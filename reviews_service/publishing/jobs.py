"""The publishing room's outbox tasks, registered with the worker (in the app factory)."""

from __future__ import annotations

from flask import Flask

from ..outbox import jobs
from . import service


def register(app: Flask) -> None:
    jobs.register_task(app, service.PRODUCT, service.run_product)
    jobs.register_task(app, service.SHOP_RATING, service.run_shop_rating)
    jobs.register_task(app, service.SHOP, service.run_shop)
