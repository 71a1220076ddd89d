"""Extensions, created once here and bound to an app in `create_app`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine
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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()


class Api(_Api):
    """flask-smorest's Api, answering every HTTP error in the project's problem+json shape."""

    def handle_http_exception(self, error):
        return handle_http_exception(error)


api = Api()


@contextmanager
def read_connection() -> Iterator[Connection]:
    """A connection for plain Core reads: the session's, inside its transaction, when this app
    context already has a session (a write in progress sees its own changes), else one of its own
    from the pool. A storefront read then builds no ORM session at all: no session, transaction
    or identity map to set up, and none to close at teardown."""
    if db.session.registry.has():
        yield db.session.connection()
        return
    with db.engine.connect() as connection:
        yield connection


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
