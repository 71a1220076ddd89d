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
from click.core import ParameterSource
from flask import current_app
from flask.cli import with_appcontext

from . import create_app
from .cli_connect import register as register_connect
from .cli_keys import register as register_keys
from .cli_publish import register as register_publish
from .config import ConfigError
from .errors import DomainError
from .files import atomic_write
from .terminal import Failure, ServiceGroup, log_printably, printable, say


def _make_app():
    try:
        return create_app()
    except ConfigError as exc:
        raise Failure(str(exc)) from None


def friendly(fn):
    """Turn a domain error into one clear line and exit status 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            from .extensions import db

            db.session.rollback()
            raise Failure(exc.detail) from None

    return wrapper


@click.group(cls=ServiceGroup, create_app=_make_app, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
def main():
    """Collect, moderate and publish product reviews and referrals."""


@main.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database schema (runs the migrations)."""
    upgrade_database()
    say("The database is up to date.")


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
    """Create a shop and print its keys.

    The secret key is shown only this once: only its hash is stored."""
    from .shops import service

    created = service.create_shop(name, allowed_origins=list(origins), slug=slug)
    shop = created.shop
    if as_json:
        say(json.dumps({"id": shop.id, "slug": shop.slug, "name": shop.name,
                               "public_key": shop.public_key, "secret_key": created.secret_key,
                               "allowed_origins": shop.allowed_origins}))
        return
    say(f"Created shop {shop.name!r} ({shop.slug}).")
    say(f"  public key: {shop.public_key}")
    say(f"  secret key: {created.secret_key}")
    say("Keep the secret key now: only its hash is stored, it cannot be shown again.")


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
        say(json.dumps({"slug": shop.slug, "secret_key": secret,
                               "old_keys_end": "now" if revoke_now else "in 24 hours"}))
        return
    say(f"New secret key for {shop.slug}: {secret}")
    say("The old keys stop working " + ("now." if revoke_now else "in 24 hours."))


@main.command("create-user")
@click.argument("email")
@click.option("--shop", "shop_ref", metavar="SHOP",
              help="The shop the account works on (id, slug or public key). Required.")
@click.option("--role", type=click.Choice(["owner", "moderator"]), default="moderator",
              show_default=True)
@with_appcontext
@friendly
def create_user_command(email, shop_ref, role):
    """Create an admin account for a shop, or add one to a shop.

    The password is read from standard input or asked for, never taken as an argument (it would
    end up in the shell's history)."""
    from .shops import service

    if not shop_ref:
        # An account without a shop could sign in and see nothing.
        raise Failure("Name the shop the account works on: --shop SHOP (its id, slug or public key; "
                      "`reviews-service create-shop` makes one).")
    shop = service.get_shop(shop_ref)
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    user = service.create_user(email, password, shop=shop, role=role)
    say(f"Account {user.email} is ready as {role} of {shop.slug}.")


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="The port to listen on (default: REVIEWS_PUBLIC_URL's, when that is a loopback URL).")
@click.option("--no-run", is_flag=True, help="Set up the demo shop and exit.")
@with_appcontext
@friendly
def demo_command(host, port, no_run):
    """Try it out: a demo shop with sample data, and the server.

    Migrates the database, creates the demo shop once (keys, sample reviews, the referral program
    on, an owner account for the admin) and prints how to use them. The public address is
    http://HOST:PORT, or REVIEWS_PUBLIC_URL; the demo shop accepts posts from it."""
    from .widget.demo import seed as demo

    app = current_app._get_current_object()
    if app.config["ENV"] == "production":
        # The demo prints keys and a password, and opens its shop to its own pages.
        raise Failure("The demo does not run with REVIEWS_ENV=production: use a development instance folder.")
    configured = os.environ.get("REVIEWS_PUBLIC_URL")
    if configured and click.get_current_context().get_parameter_source("port") is ParameterSource.DEFAULT:
        port = demo.loopback_port(configured) or port
    base, origins = demo.addresses(host, port, configured)
    demo.use_public_url(app, base)
    upgrade_database()
    info = demo.ensure_demo_shop(base, origins)
    say(f"Demo shop {info['name']!r} is ready.")
    say(f"  public key: {info['public_key']}")
    say(f"  secret key: {info['secret_key']}")
    say(f"  try:        curl -H 'Authorization: Bearer {info['secret_key']}' {base}/api/v1/shop")
    say(f"  demo shop:  {base}/demo  (product page), {base}/demo/collection, {base}/demo/thank-you")
    if info["referral_code"]:
        say(f"  referral:   {base}/demo?ref={info['referral_code']}  (a customer's share link: land as a friend)")
    say(f"  admin:      {base}/admin/  sign in as {info['owner_email']} with password {info['owner_password']}")
    say(f"  API docs:   {base}/api/docs")
    say("  e-mails:    reviews-service worker --print  (in a second terminal, from the same folder)")
    if host in ("0.0.0.0", "::") and not configured:
        say("Listening on every interface: set REVIEWS_PUBLIC_URL to the address other machines use, "
            "so that links, photos and the demo shop's allowed origins match it.")
    if no_run:
        return
    # Not app.run(): Flask ignores it inside its own CLI. The development server, threaded.
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True)


@main.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--print", "print_mail", is_flag=True,
              help="Print e-mails to standard output instead of sending them (development).")
@click.option("--poll", type=click.FloatRange(min=0.1), default=None,
              help="Seconds between rounds (default: REVIEWS_WORKER_POLL_SECONDS).")
@with_appcontext
@friendly
def worker_command(once, print_mail, poll):
    """Send the e-mails and webhooks that the outbox holds, and run its tasks (published files).

    Queues review requests, reminders and digests as they fall due, and delivers them and the
    webhooks with retries and backoff; writes the published files a change queued. Run it beside the web server. Safe to run as many copies as you like; stops cleanly on SIGTERM."""
    from .outbox.mailer import MailConfigError
    from .outbox.worker import Worker

    log_printably()
    try:
        worker = Worker(printer=(lambda text: say(text + "\n" + "-" * 72)) if print_mail else None)
    except MailConfigError as exc:
        raise Failure(str(exc)) from None
    if worker.smtp is None and not print_mail:
        say("REVIEWS_SMTP_URL is not set: e-mails stay in the outbox (use --print to see them); "
                   "webhooks are delivered, tasks run.", err=True)
    stats = worker.run(once=once, poll=poll)
    say(f"worker {worker.id}: queued {stats.queued}, sent {stats.sent}, failed {stats.failed}, "
               f"dropped {stats.dropped}", err=True)


@main.command("check")
@click.option("--fix", is_flag=True, help="Repair the rating aggregates that differ from a recount.")
@with_appcontext
@friendly
def check_command(fix):
    """Recount the rating aggregates and clean up expired data.

    Reports every aggregate that differs from a full recount; deletes photos never attached to a
    review and expired idempotency keys. Exits with status 1 when an aggregate differs and --fix was not given."""
    from .ratings import service as ratings
    from .reviews import media
    from .web.idempotency import purge_expired

    diffs = ratings.recount(fix=fix)
    for diff in diffs:
        changed = {k: f"{diff.stored[k]} -> {diff.actual[k]}" for k in diff.stored
                   if diff.stored[k] != diff.actual[k]}
        say(f"{'fixed' if fix else 'differs'}: {diff.scope}: {changed}")
    if not diffs:
        say("Rating aggregates match a full recount.")
    say(f"Deleted {media.purge_orphans()} photos never attached to a review.")
    say(f"Forgot {purge_expired(current_app.config['IDEMPOTENCY_TTL'])} expired idempotency keys.")
    if diffs and not fix:
        raise SystemExit(1)


@main.command("feed")
@click.argument("shop_ref", metavar="SHOP")
@click.option("--output", "output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the feed; written to a temporary file first, then renamed.")
@with_appcontext
@friendly
def feed_command(shop_ref, output):
    """Write SHOP's Google product reviews feed (XML, schema 2.3)."""
    from .ratings import feeds
    from .shops import service

    shop = service.get_shop(shop_ref)
    stats = feeds.write_feed(shop, output)
    say(f"Wrote {stats.reviews} reviews to {output}.")
    if stats.skipped:
        say(f"Left out {stats.skipped} published reviews without text (the feed requires text).")


@main.command("detect-languages")
@click.option("--batch", default=500, show_default=True, type=click.IntRange(1, 10_000),
              help="Reviews per transaction.")
@with_appcontext
@friendly
def detect_languages_command(batch):
    """Fill in the language of reviews stored without one.

    Reads the reviews whose language is unknown in batches, each committed: run it again after
    an interruption and it goes on with those still unknown. A text too short to tell takes the
    language of the form it was written in; an imported one without a sure detection stays unknown."""
    from .collecting import languages

    read = found = 0
    for batch_read, batch_found in languages.fill_missing(batch):
        read, found = read + batch_read, found + batch_found
        say(f"{read} reviews read, {found} languages set")
    say(f"Done: {found} of {read} reviews without a language have one now.")


@main.command("import")
@click.argument("shop_ref", metavar="SHOP")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["judgeme", "yotpo", "okendo", "shopify"]),
              help="The platform the file comes from; found from its header if not given.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
@friendly
def import_command(shop_ref, path, fmt, as_json):
    """Import reviews from another platform's CSV export.

    Reads FILE into SHOP (id, slug or public key).
    Rows are stored or refused with a reason; nothing is filtered by stars: the report shows the
    star distribution of the rows read beside that of the rows stored."""
    from .collecting import importing
    from .shops import service

    shop = service.get_shop(shop_ref)
    with open(path, "rb") as handle:
        report = importing.import_csv(shop, handle, fmt=fmt, actor="cli")
    if as_json:
        say(json.dumps(report.as_dict()))
        return
    say(f"{report.format}: read {report.rows_read} rows, stored {report.stored}, "
               f"refused {len(report.refused)}.")
    say("stars    " + "".join(f"{n:>7}" for n in "12345"))
    for label, histogram in (("received", report.received_histogram), ("stored", report.stored_histogram)):
        say(f"{label:<9}" + "".join(f"{histogram[n]:>7}" for n in "12345"))
    if report.statuses:
        say("status: " + ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items())))
    for row, reason in report.refused:
        say(f"row {row}: {reason}")
    if report.photos_not_fetched:
        say(f"{report.photos_not_fetched} photo URLs in the file were not downloaded.")


@main.command("export")
@click.argument("shop_ref", metavar="SHOP")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (through a temporary file) instead of standard output.")
@with_appcontext
@friendly
def export_command(shop_ref, fmt, output):
    """Export every review of SHOP, in every status.

    With replies, photo URLs, votes and labels, as CSV or JSON."""
    from .reviews import exporting
    from .shops import service

    shop = service.get_shop(shop_ref)
    chunks = exporting.export_reviews(shop, fmt)
    if not output:
        stdout = click.get_text_stream("stdout")
        # Piped into a file or a program, the export is data and goes out byte for byte (click.echo
        # would strip what looks like a colour code); on a terminal, it is text to read.
        terminal = stdout.isatty()
        for chunk in chunks:
            stdout.write(printable(chunk) if terminal else chunk)
        stdout.flush()
        return
    with atomic_write(output, text=True) as handle:
        for chunk in chunks:
            handle.write(chunk)
    say(f"Wrote {output}.", err=True)


register_keys(main, friendly)
register_connect(main, friendly)
register_publish(main, friendly)
