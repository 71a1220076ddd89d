"""The `reviews-service` command: set up, run and look after the service.

Every command takes its settings from the same REVIEWS_* environment variables as the web app.
A failure prints one line saying what is wrong and exits with status 1.
"""

from __future__ import annotations

import functools
import json
import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .config import ConfigError
from .errors import DomainError


def _make_app():
    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def friendly(fn):
    """Turn a domain error into one clear line and exit status 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            from .extensions import db

            db.session.rollback()
            raise click.ClickException(exc.detail) from None

    return wrapper


@click.group(cls=FlaskGroup, create_app=_make_app, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
def main():
    """Collect, moderate and publish product reviews and referrals."""


@main.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database schema (runs the migrations)."""
    upgrade_database()
    click.echo("The database is up to date.")


def upgrade_database() -> None:
    from flask_migrate import upgrade

    os.makedirs(current_app.instance_path, exist_ok=True)
    upgrade()


@main.command("create-shop")
@click.argument("name")
@click.option("--origin", "origins", multiple=True,
              help="An origin the widget may post from, e.g. https://shop.example (repeatable).")
@click.option("--slug", help="A short name for the CLI; made from the name if not given.")
@click.option("--json", "as_json", is_flag=True, help="Print the keys as JSON, for scripts.")
@with_appcontext
@friendly
def create_shop_command(name, origins, slug, as_json):
    """Create a shop and print its public key and secret key (shown only once)."""
    from .shops import service

    created = service.create_shop(name, allowed_origins=list(origins), slug=slug)
    shop = created.shop
    if as_json:
        click.echo(json.dumps({"id": shop.id, "slug": shop.slug, "name": shop.name,
                               "public_key": shop.public_key, "secret_key": created.secret_key,
                               "allowed_origins": shop.allowed_origins}))
        return
    click.echo(f"Created shop {shop.name!r} ({shop.slug}).")
    click.echo(f"  public key: {shop.public_key}")
    click.echo(f"  secret key: {created.secret_key}")
    click.echo("Keep the secret key now: only its hash is stored, it cannot be shown again.")


@main.command("rotate-key")
@click.argument("shop_ref", metavar="SHOP")
@click.option("--revoke-now", is_flag=True,
              help="End the old keys at once (a leaked key) instead of after 24 hours.")
@click.option("--json", "as_json", is_flag=True, help="Print the new key as JSON.")
@with_appcontext
@friendly
def rotate_key_command(shop_ref, revoke_now, as_json):
    """Issue a new secret key for SHOP (id, slug or public key)."""
    from .shops import service

    shop = service.get_shop(shop_ref)
    secret = service.rotate_key(shop, revoke_now=revoke_now)
    if as_json:
        click.echo(json.dumps({"slug": shop.slug, "secret_key": secret,
                               "old_keys_end": "now" if revoke_now else "in 24 hours"}))
        return
    click.echo(f"New secret key for {shop.slug}: {secret}")
    click.echo("The old keys stop working " + ("now." if revoke_now else "in 24 hours."))


@main.command("create-user")
@click.argument("email")
@click.option("--shop", "shop_ref", help="The shop the account works on (id, slug or public key).")
@click.option("--role", type=click.Choice(["owner", "moderator"]), default="moderator",
              show_default=True)
@with_appcontext
@friendly
def create_user_command(email, shop_ref, role):
    """Create an admin account. The password is read from standard input or asked for,
    never taken as an argument (it would end up in the shell's history)."""
    from .shops import service

    shop = service.get_shop(shop_ref) if shop_ref else None
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    user = service.create_user(email, password, shop=shop, role=role)
    where = f" as {role} of {shop.slug}" if shop else ""
    click.echo(f"Account {user.email} is ready{where}.")


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-run", is_flag=True, help="Set up the demo shop and exit.")
@with_appcontext
@friendly
def demo_command(host, port, no_run):
    """Migrate, create a demo shop with sample data, print its keys, and run the server."""
    from . import demo

    upgrade_database()
    info = demo.ensure_demo_shop()
    base = f"http://{host}:{port}"
    click.echo(f"Demo shop {info['name']!r} is ready.")
    click.echo(f"  public key: {info['public_key']}")
    click.echo(f"  secret key: {info['secret_key']}")
    click.echo(f"  try:        curl -H 'Authorization: Bearer {info['secret_key']}' {base}/api/v1/shop")
    click.echo(f"  demo shop:  {base}/demo  (product page), {base}/demo/collection, {base}/demo/thank-you")
    click.echo(f"  API docs:   {base}/api/docs")
    if no_run:
        return
    # Not app.run(): Flask ignores it inside its own CLI. The development server, threaded.
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), threaded=True)


@main.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--print", "print_mail", is_flag=True,
              help="Print e-mails to standard output instead of sending them (development).")
@click.option("--poll", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between rounds (default: REVIEWS_WORKER_POLL_SECONDS).")
@with_appcontext
@friendly
def worker_command(once, print_mail, poll):
    """Deliver the outbox: review-request e-mails, reminders, digests and webhooks.

    Safe to run as many copies as you like; stops cleanly on SIGTERM."""
    from .outbox.mailer import MailConfigError
    from .outbox.worker import Worker

    try:
        worker = Worker(printer=(lambda text: click.echo(text + "\n" + "-" * 72)) if print_mail else None)
    except MailConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if worker.smtp is None and not print_mail:
        click.echo("REVIEWS_SMTP_URL is not set: e-mails stay in the outbox (use --print to see them); "
                   "webhooks are delivered.", err=True)
    stats = worker.run(once=once, poll=poll)
    click.echo(f"worker {worker.id}: queued {stats.queued}, sent {stats.sent}, failed {stats.failed}, "
               f"dropped {stats.dropped}", err=True)


@main.command("check")
@click.option("--fix", is_flag=True, help="Repair the rating aggregates that differ from a recount.")
@with_appcontext
@friendly
def check_command(fix):
    """Recount every rating aggregate and report differences; clean up expired data.

    Exits with status 1 when an aggregate differs and --fix was not given."""
    from .idempotency import purge_expired
    from .ratings import service as ratings
    from .reviews import media

    diffs = ratings.recount(fix=fix)
    for diff in diffs:
        changed = {k: f"{diff.stored[k]} -> {diff.actual[k]}" for k in diff.stored
                   if diff.stored[k] != diff.actual[k]}
        click.echo(f"{'fixed' if fix else 'differs'}: {diff.scope}: {changed}")
    if not diffs:
        click.echo("Rating aggregates match a full recount.")
    click.echo(f"Deleted {media.purge_orphans()} photos never attached to a review.")
    click.echo(f"Forgot {purge_expired(current_app.config['IDEMPOTENCY_TTL'])} expired idempotency keys.")
    if diffs and not fix:
        raise SystemExit(1)


@main.command("feed")
@click.argument("shop_ref", metavar="SHOP")
@click.option("--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the feed; written to a temporary file first, then renamed.")
@with_appcontext
@friendly
def feed_command(shop_ref, output):
    """Write SHOP's Google product reviews feed (XML, schema 2.3) to a file."""
    from .ratings import feeds
    from .shops import service

    shop = service.get_shop(shop_ref)
    stats = feeds.write_feed(shop, output)
    click.echo(f"Wrote {stats.reviews} reviews to {output}.")
    if stats.skipped:
        click.echo(f"Left out {stats.skipped} published reviews without text (the feed requires text).")


@main.command("import")
@click.argument("shop_ref", metavar="SHOP")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["judgeme", "yotpo", "okendo", "shopify"]),
              help="The platform the file comes from; found from its header if not given.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@friendly
def import_command(shop_ref, path, fmt, as_json):
    """Import reviews into SHOP from another platform's CSV export (FILE).

    Rows are stored or refused with a reason; nothing is filtered by stars: the report shows the
    star distribution of the rows read beside that of the rows stored."""
    from .reviews import transfer
    from .shops import service

    shop = service.get_shop(shop_ref)
    with open(path, "rb") as handle:
        report = transfer.import_csv(shop, handle, fmt=fmt, actor="cli")
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    click.echo(f"{report.format}: read {report.rows_read} rows, stored {report.stored}, "
               f"refused {len(report.refused)}.")
    click.echo("stars    " + "".join(f"{n:>7}" for n in "12345"))
    for label, histogram in (("received", report.received_histogram), ("stored", report.stored_histogram)):
        click.echo(f"{label:<9}" + "".join(f"{histogram[n]:>7}" for n in "12345"))
    if report.statuses:
        click.echo("status: " + ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items())))
    for row, reason in report.refused:
        click.echo(f"row {row}: {reason}")
    if report.photos_not_fetched:
        click.echo(f"{report.photos_not_fetched} photo URLs in the file were not downloaded.")


@main.command("export")
@click.argument("shop_ref", metavar="SHOP")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (through a temporary file) instead of standard output.")
@with_appcontext
@friendly
def export_command(shop_ref, fmt, output):
    """Export every review of SHOP, in every status, with replies, photo URLs, votes and labels."""
    from .reviews import transfer
    from .shops import service

    shop = service.get_shop(shop_ref)
    chunks = transfer.export_reviews(shop, fmt)
    if not output:
        for chunk in chunks:
            click.echo(chunk, nl=False)
        return
    temporary = f"{output}.tmp-{os.getpid()}"
    try:
        with open(temporary, "w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(temporary, output)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    click.echo(f"Wrote {output}.", err=True)
