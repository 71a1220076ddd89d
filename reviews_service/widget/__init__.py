"""The shopper-facing side: the widget's files, its public endpoints, the review policy page,
the demo shop and the hosted review page (`pages`, registered on its own)."""

from __future__ import annotations

from flask import Flask

from .. import extensions
from . import api as widget_api
from . import assets
from .demo import pages as demo


def init_app(app: Flask) -> None:
    """Register the widget's blueprints: its files, its API, the policy page and the demo."""
    app.register_blueprint(assets.bp)
    app.register_blueprint(widget_api.pages)
    app.register_blueprint(demo.bp)
    extensions.api.register_blueprint(widget_api.public)
