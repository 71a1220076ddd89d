"""`reviews-service publish`: write every published file now (publishing/), for the first run
after turning publishing on, or after moving its storage. The worker keeps them current after.

Kept beside cli.py (that file is near its length); `cli.py` adds the command with `register`."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from .terminal import Failure, say


def register(main: click.Group, friendly: Callable) -> None:
    """Add the `publish` command to `main`; `friendly` turns domain errors into one line."""

    @main.command("publish")
    @click.option("--shop", "shop_ref", metavar="SHOP",
                  help="Only this shop (its public key, slug or id); every shop when not given.")
    @with_appcontext
    @friendly
    def publish_command(shop_ref):
        """(Re)publish the static files: each product's rating.json, badges and reviews.json, and
        each shop's rating.json, to REVIEWS_PUBLISH_STORAGE (local: REVIEWS_PUBLISH_ROOT; s3:
        the S3_* bucket under REVIEWS_PUBLISH_S3_PREFIX)."""
        from .publishing import service as publishing
        from .shops import service as shops

        if not publishing.enabled():
            raise Failure("Publishing is off: set REVIEWS_PUBLISH_STORAGE to local or s3.")
        shop = shops.get_shop(shop_ref) if shop_ref else None
        products, files = publishing.publish_all(shop)
        where = (current_app.config["PUBLISH_ROOT"] if current_app.config["PUBLISH_STORAGE"] == "local"
                 else f"s3://{current_app.config['S3_BUCKET']}/{current_app.config['PUBLISH_S3_PREFIX']}")
        say(f"Published {files} files for {products} products to {where}.")
