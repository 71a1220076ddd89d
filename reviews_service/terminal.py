"""What the `reviews-service` command shows on a terminal: text with its control characters made
visible, failures as one line, and a help page that starts with the service's own commands.

Much of what the command prints comes from shoppers and shops (a product name in an e-mail that
`worker --print` shows, a row of an imported file): text that must not be able to move the cursor,
recolour or retitle the operator's terminal, or reorder what is shown.
"""

from __future__ import annotations

import copy
import logging
import re

import click
from flask.cli import FlaskGroup

# C0 controls but tab and newline, DEL, C1 controls (0x9b is a one-byte CSI), the line and
# paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control character written as its escape (`\\x1b`, `\\u202e`)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def say(text: str = "", **kwargs) -> None:
    """`click.echo` for any text that may hold user data."""
    click.echo(printable(text), **kwargs)


class PrintableFormatter(logging.Formatter):
    """Log lines with their control characters escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


def log_printably() -> None:
    """Send warnings to standard error, escaped: a long-running command's (the worker's) log lines
    quote what shops supplied, such as a webhook URL. A logging setup that exists is left alone."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(PrintableFormatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


class Failure(click.ClickException):
    """One line, exit status 1; the message may quote user input."""

    def format_message(self) -> str:
        return printable(self.message)


# The help page, in the order an operator meets the commands. Flask's own (`shell`, `routes`) and
# the extensions' (`limiter`, `openapi`) still run, but are not listed; `db` (Flask-Migrate:
# `db migrate` for developers who change a model) comes last.
SECTIONS = (
    ("Set up", ("demo", "init", "create-shop", "create-user", "rotate-key", "keys")),
    ("Run", ("run", "worker")),
    ("Look after the data", ("import", "export", "feed", "check", "detect-languages", "publish")),
    ("For developers", ("db",)),
)
# The group options FlaskGroup adds (--env-file, --app, --debug): the app is always this service's,
# and `run --debug` has its own.
_FLASK_OPTIONS = ("env_file", "app", "debug")


class ServiceGroup(FlaskGroup):
    """FlaskGroup with the service's help page; every command, listed or not, still runs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Copies: the option objects are Flask's module globals, shared with `run`.
        self.params = [_hidden(p) if p.name in _FLASK_OPTIONS else p for p in self.params]

    def list_commands(self, ctx: click.Context) -> list[str]:
        # Without loading the app: the help must show even when the configuration is broken.
        return [name for _title, names in SECTIONS for name in names]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        longest = max(len(name) for _t, names in SECTIONS for name in names)
        for title, names in SECTIONS:
            rows = []
            for name in names:
                command = self.commands.get(name) or _developer_command(name)
                if command is not None:
                    # Padded to the longest name, so that every section's column lines up.
                    rows.append((name.ljust(longest), command.get_short_help_str(formatter.width - 6 - longest)))
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


def _hidden(option: click.Parameter) -> click.Parameter:
    option = copy.copy(option)
    option.hidden = True
    return option


def _developer_command(name: str) -> click.Command | None:
    # `db` is Flask-Migrate's group, which the app registers: taken from the package, so that the
    # help page needs no app.
    if name == "db":
        from flask_migrate.cli import db

        return db
    return None
