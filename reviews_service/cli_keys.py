"""`reviews-service keys ...`: a shop's secret keys with their scopes, listed, created, revoked.

Kept beside cli.py rather than in it (that file holds the other commands and is near its length);
`cli.py` adds the group to the command with `register`."""

from __future__ import annotations

import json
from collections.abc import Callable

import click
from flask.cli import with_appcontext

from .terminal import Failure, say
from .web.scopes import DESCRIPTIONS, SCOPES


def register(main: click.Group, friendly: Callable) -> None:
    """Add the `keys` group to `main`; `friendly` turns domain errors into one line."""

    @main.group("keys", help="A shop's secret keys and their scopes: list, create, revoke.\n\n\b\nScopes:\n"
                + "\n".join(f"  {name:<11} {text}" for name, text in DESCRIPTIONS.items()))
    def keys_group():
        pass

    @keys_group.command("list")
    @click.argument("shop_ref", metavar="SHOP")
    @click.option("--json", "as_json", is_flag=True, help="Print the keys as JSON.")
    @with_appcontext
    @friendly
    def list_command(shop_ref, as_json):
        """The active keys of SHOP (id, slug or public key), with their scopes."""
        from .shops import service

        shop = service.get_shop(shop_ref)
        rows = [{"id": k.id, "prefix": k.prefix, "label": k.label, "scopes": list(k.scopes),
                 "created_at": k.created_at.isoformat(),
                 "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
                 "ends_at": k.revoked_at.isoformat() if k.revoked_at else None}
                for k in service.active_keys(shop)]
        if as_json:
            say(json.dumps(rows))
            return
        for row in rows:
            ends = f"  ends {row['ends_at'][:16]}" if row["ends_at"] else ""
            say(f"{row['id']:>5}  {row['prefix']}…  {','.join(row['scopes']):<26} {row['label']}{ends}")
        if not rows:
            say(f"{shop.slug} has no active secret key: create one with `reviews-service keys create`.")

    @keys_group.command("create")
    @click.argument("shop_ref", metavar="SHOP")
    @click.option("--scope", "scopes", multiple=True, type=click.Choice(SCOPES), default=("all",),
                  show_default=True, help="What the key may do (repeatable).")
    @click.option("--label", default="created with the CLI", show_default=True,
                  help="A name to tell the key from the others.")
    @click.option("--json", "as_json", is_flag=True, help="Print the new key as JSON.")
    @with_appcontext
    @friendly
    def create_command(shop_ref, scopes, label, as_json):
        """Add a secret key to SHOP beside the current ones; it is shown only this once."""
        from .shops import service

        shop = service.get_shop(shop_ref)
        granted = service.key_scopes(scopes)
        secret = service.add_key(shop, label, scopes=granted)
        if as_json:
            say(json.dumps({"slug": shop.slug, "secret_key": secret, "scopes": list(granted)}))
            return
        say(f"New secret key for {shop.slug} ({', '.join(granted)}): {secret}")
        say("Keep it now: only its hash is stored, it cannot be shown again.")

    @keys_group.command("revoke")
    @click.argument("shop_ref", metavar="SHOP")
    @click.argument("key_ref", metavar="KEY")
    @with_appcontext
    @friendly
    def revoke_command(shop_ref, key_ref):
        """End KEY of SHOP now: its id or its prefix, as `keys list` shows them."""
        from .shops import service

        shop = service.get_shop(shop_ref)
        found = [k for k in service.active_keys(shop)
                 if str(k.id) == key_ref or k.prefix == key_ref.rstrip("…")]
        if not found:
            raise Failure(f"{shop.slug} has no active key {key_ref!r}; `reviews-service keys list {shop.slug}` shows them.")
        service.revoke_key(shop, found[0].id)
        say(f"Revoked {found[0].prefix}…: requests with it are refused from now on.")
