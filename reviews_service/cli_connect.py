"""`reviews-service connect shopify|woocommerce SHOP`: check or change a shop's connection, and
import past orders from the platform's export; `reviews-service reencrypt-secrets` after a
rotation of REVIEWS_SECRET_KEY.

Kept beside cli.py, like cli_keys.py; `cli.py` adds the commands with `register`. The room is
imported inside the commands, so that `reviews-service --help` stays quick."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from .terminal import Failure, say


def register(main: click.Group, friendly) -> None:
    """Add `connect` and `reencrypt-secrets` to `main`; `friendly` turns domain errors into one line."""

    @main.command("connect")
    @click.argument("platform", type=click.Choice(["shopify", "woocommerce"]))
    @click.argument("shop_ref", metavar="SHOP")
    @click.option("--domain", help="The store's domain: my-store.myshopify.com, or the WooCommerce site's host.")
    @click.option("--secret-stdin", is_flag=True,
                  help="Read the webhook secret from standard input (never from the command line).")
    @click.option("--import", "import_file", type=click.File("r", encoding="utf-8-sig"),
                  help="Past orders: Shopify's orders CSV export, or the saved JSON of WooCommerce's "
                       "GET /wp-json/wc/v3/orders.")
    @click.option("--products", "products_file", type=click.File("r", encoding="utf-8-sig"),
                  help="Shopify: the saved JSON of products.json (Admin API, or the storefront's "
                       "/products.json), so that the CSV's lines find their products' ids by SKU or title.")
    @click.option("--since-days", default=30, show_default=True, type=click.IntRange(1, 365),
                  help="Import only orders placed in these last days: older customers are never e-mailed.")
    @with_appcontext
    @friendly
    def connect_command(platform, shop_ref, domain, secret_stdin, import_file, products_file, since_days):
        """Connect SHOP to its platform, show what to register there, and import past orders.

        Without --domain or --secret-stdin, checks the connection made before (by this command or
        PUT /api/v1/connections/PLATFORM). The secret is stored encrypted and never printed."""
        from .connectors import backfill, service
        from .shops import service as shops

        shop = shops.get_shop(shop_ref)
        secret = None
        if secret_stdin:
            secret = sys.stdin.readline().strip()
            if not secret:
                raise Failure("No secret on standard input.")
        if domain is not None or secret is not None:
            connection, _ = service.configure(shop, platform, domain=domain, secret=secret)
        else:
            connection = service.get_connection(shop, platform)
        view = service.view(shop, connection)
        say(f"{platform} connection of {shop.slug}: {view['domain']}, webhook secret "
            f"{'set' if view['secret_set'] else 'NOT set'}.")
        say(f"Register this URL for each topic below: {view['webhook_url']}")
        for topic in view["topics"]:
            say(f"  {topic}")
        index = None
        if products_file is not None:
            if platform != "shopify":
                raise Failure("--products is for Shopify: WooCommerce's orders name their products' ids.")
            index = backfill.shopify_products(shop, connection, products_file.read())
            say(f"Stored {index.stored} products from the listing.")
        if import_file is not None:
            text = import_file.read()
            report = (backfill.shopify_csv(shop, text, since_days, index) if platform == "shopify"
                      else backfill.woocommerce_json(shop, connection, text, since_days))
            say(f"Imported {report.imported} orders ({report.already} already stored); left out "
                f"{report.older} placed more than {since_days} days ago.")
            for line in report.skipped:
                say(f"  not imported: {line}")

    @main.command("reencrypt-secrets")
    @with_appcontext
    @friendly
    def reencrypt_command():
        """Write every connection's webhook secret again under the current REVIEWS_SECRET_KEY.

        After a rotation, set the old key in REVIEWS_SECRET_KEY_PREVIOUS, run this, then drop it."""
        from .connectors import secrets, service

        try:
            changed, total = service.reencrypt_all()
        except secrets.UnreadableSecret as exc:
            raise Failure(str(exc)) from None
        say(f"Re-encrypted {changed} of {total} webhook secrets under the current key.")
