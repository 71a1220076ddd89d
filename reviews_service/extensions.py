"""Extensions, created once here and bound to an app in `create_app`."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TypeVar

from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase

from .errors import handle_http_exception

# Named constraints, so that migrations can drop and alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


T = TypeVar("T")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


_UNDOCUMENTED = "reviews.undocumented"  # an app's blueprints not yet in its OpenAPI document
_THEN = "reviews.after_documenting"  # what completes the document once they are
_DOCUMENTING = threading.RLock()


class _Writing(threading.local):
    active = False


_writing = _Writing()


class Api(_Api):
    """flask-smorest's Api, answering every HTTP error in the project's problem+json shape, and
    writing the OpenAPI document when it is first read rather than as each blueprint registers:
    documenting every operation (apispec, marshmallow's field conversion) was half of building the
    app, which every test does, and only a request for the document (or the docs page) needs it.
    Whatever reads `spec` gets the whole document: the pending blueprints are documented first, in
    the order they were registered, then `after_documenting`'s steps run."""

    @property
    def spec(self):
        self._document_pending()
        return self._spec

    @spec.setter
    def spec(self, value) -> None:
        self._spec = value

    def register_blueprint(self, blp, *, parameters=None, **options) -> None:
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._app.extensions.setdefault(_UNDOCUMENTED, []).append((blp, name, parameters))

    def after_documenting(self, step: Callable[[], None]) -> None:
        """Run `step` once the registered blueprints are in the document (it may read `spec`)."""
        self._app.extensions.setdefault(_THEN, []).append(step)

    def _document_pending(self) -> None:
        app = getattr(self, "_app", None)
        if app is None or _UNDOCUMENTED not in app.extensions:
            return
        # Two first readers at once: the second waits for the whole document (the pending list
        # goes only once it is written); a step of the writing that reads `spec` gets it as it is.
        with _DOCUMENTING:
            pending = app.extensions.get(_UNDOCUMENTED)
            if not pending or _writing.active:
                return
            _writing.active = True
            try:
                for blp, name, parameters in pending:
                    blp.register_views_in_doc(self, app, self._spec, name=name, parameters=parameters)
                    self._spec.tag({"name": name, "description": blp.description})
                for step in app.extensions.pop(_THEN, []):
                    step()
            finally:
                _writing.active = False
                app.extensions.pop(_UNDOCUMENTED, None)

    def handle_http_exception(self, error):
        return handle_http_exception(error)


api = Api()


@contextmanager
def read_connection() -> Iterator[Connection]:
    """A connection for plain Core reads: the session's, inside its transaction, when this app
    context already has a session (a write in progress sees its own changes), else the thread's
    held read connection. A storefront read then builds no ORM session at all (no session,
    transaction or identity map to set up and close), and takes nothing from the pool: checking a
    connection out and back in cost more than the rating's query (and on PostgreSQL the pool's
    ping, BEGIN and ROLLBACK were three round trips around a one-statement read).

    The held connection is in autocommit: each statement reads the latest committed state, and no
    transaction stays open between reads. It is the thread's (one per thread, for the app's
    engine: another engine's is given back to its pool), never crosses a fork, is given back after
    any error inside the block, and is taken anew from the pool (which pings it) after
    `_HELD_IDLE` seconds unused, so that a connection the server closed meanwhile is not used."""
    if db.session.registry.has():
        yield db.session.connection()
        return
    connection = _held_connection(db.engine)
    try:
        yield connection
    except BaseException:
        _give_back()
        raise
    _held.used = time.monotonic()


def run_read(work: Callable[[Connection], T]) -> T:
    """`work` on the read connection (`read_connection`), and once more on a new one when the held
    connection turned out dead (the database server closed it while it sat unused: the pool's ping
    on checkout would have caught that, and the shopper must not see the difference). Within a
    session, a dead connection is the session's error, as before."""
    try:
        with read_connection() as connection:
            return work(connection)
    except DBAPIError as error:
        if not error.connection_invalidated or db.session.registry.has():
            raise
    with read_connection() as connection:
        return work(connection)


_HELD_IDLE = 10.0


class _Held(threading.local):
    connection: Connection | None = None
    pid: int = 0
    used: float = 0.0


_held = _Held()
_FORKED: list[Connection] = []  # a parent process's held connections: never used nor closed here


def _held_connection(engine: Engine) -> Connection:
    held = _held.connection
    if held is not None and (held.engine is not engine or held.invalidated
                             or time.monotonic() - _held.used > _HELD_IDLE or _held.pid != os.getpid()):
        _give_back()
        held = None
    if held is None:
        held = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        _held.connection, _held.pid, _held.used = held, os.getpid(), time.monotonic()
    return held


def _give_back() -> None:
    held, _held.connection = _held.connection, None
    if held is None:
        return
    if _held.pid != os.getpid():
        _FORKED.append(held)  # closing it here would close the parent's socket too
        return
    with suppress(Exception):  # a broken connection: the pool discards it
        held.close()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL lets readers work while one writer writes; SQLite leaves foreign keys off unless asked."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class SessionInterface(SecureCookieSessionInterface):
    """Flask marks a response `Vary: Cookie` whenever anything looked at the session, and
    Flask-Login looks on every request. Public answers never depend on a session, so they must stay
    cacheable by CDNs: for those paths, looking does not count (a change still would)."""

    public_prefixes = ("/api/v1/public/", "/widget/", "/media/", "/assets/", "/healthz", "/readyz",
                       "/policy/", "/api/openapi.json")

    def open_session(self, app, request):
        # The public API's reads never look at a session (only the admin does): a null session,
        # which Flask then neither parses a cookie for nor saves, nor marks `Vary: Cookie`.
        if request.method in ("GET", "HEAD", "OPTIONS") and request.path.startswith("/api/v1/public/"):
            return None
        # No cookie, no session to read: skip building the signer (a storefront read has none,
        # and this runs on every request).
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        from flask import request

        if not session.modified and request.path.startswith(self.public_prefixes):
            session.accessed = False
        return super().save_session(app, session, response)
