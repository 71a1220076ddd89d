"""Admin fixtures: accounts, signed-in clients that send CSRF tokens, and reviews to moderate."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pytest

from reviews_service.extensions import db
from reviews_service.reviews.models import Review
from reviews_service.shops import service as shops

from ..factories import PASSWORD, ShopKeys, make_review, make_user  # noqa: F401 (make_review: the admin tests' import)

_seq = itertools.count(1)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """scrypt with N=2^17 costs 128 MB and a few hundred ms a hash: right for production, slow
    for a suite that signs in hundreds of times. The tests use the same scheme, cheaper."""
    monkeypatch.setattr(shops, "PASSWORD_METHOD", "scrypt:1024:8:1")


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@dataclass
class Admin:
    """A browser session on the admin: `post` sends the page's CSRF token unless told not to."""

    client: object
    email: str
    shop: ShopKeys | None = None

    @property
    def actor(self) -> str:
        from reviews_service.extensions import db
        from reviews_service.shops.models import User

        with self.client.application.app_context():
            return f"user:{db.session.scalar(db.select(User.id).where(User.email == self.email))}"

    @property
    def base(self) -> str:
        return f"/admin/shops/{self.shop.slug}"

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)

    def token(self) -> str:
        return csrf_token(self.client.get("/admin/account").get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        return self.client.post(path, data=data, **kw)


def sign_in(client, email: str, password: str = PASSWORD, **kw):
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    return client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token}, **kw)


def admin_for(app, shop: ShopKeys | None, role: str, email: str | None = None) -> Admin:
    email = make_user(app, email, shop=shop, role=role)
    client = app.test_client()
    answer = sign_in(client, email)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return Admin(client, email, shop)


@pytest.fixture
def owner(app, shop) -> Admin:
    return admin_for(app, shop, "owner")


@pytest.fixture
def admin(app, shop) -> Admin:
    """A signed-in moderator of `shop`."""
    return admin_for(app, shop, "moderator")


# --- reviews -------------------------------------------------------------------------------------

def review_row(app, public_id: str) -> Review:
    with app.app_context():
        row = db.session.scalar(db.select(Review).where(Review.public_id == public_id))
        db.session.expunge(row)
        return row
