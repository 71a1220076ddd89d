"""Admin fixtures: accounts, signed-in clients that send CSRF tokens, and reviews to moderate."""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass

import pytest

from reviews_service.catalog import service as catalog
from reviews_service.collecting import service as reviews
from reviews_service.extensions import db
from reviews_service.moderation import service as moderation
from reviews_service.reviews import media
from reviews_service.reviews.models import Review
from reviews_service.shops import service as shops

from ..factories import ShopKeys

PASSWORD = "correct horse battery"
_seq = itertools.count(1)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch):
    """scrypt with N=2^17 costs 128 MB and a few hundred ms a hash: right for production, slow
    for a suite that signs in hundreds of times. The tests use the same scheme, cheaper."""
    monkeypatch.setattr(shops, "PASSWORD_METHOD", "scrypt:1024:8:1")


def make_user(app, email: str | None = None, *, shop: ShopKeys | None = None, role: str = "moderator",
              password: str = PASSWORD) -> str:
    email = email or f"user{next(_seq)}@example.com"
    with app.app_context():
        shops.create_user(email, password, shop=shops.get_shop(shop.id) if shop else None, role=role)
    return email


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

def jpeg(width: int = 320, height: int = 240) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def make_review(app, shop: ShopKeys, *, product: str = "sku-1", rating: int = 4, title: str = "Fits well",
                body: str = "Comfortable from the first day.", name: str = "Ana Petrosyan", photos: int = 0,
                status: str = "pending", email: str | None = None, reason: str = "spam") -> str:
    """A review through the submission service (unverified, so it starts pending), moved to
    `status` through the transition; answers its public id."""
    n = next(_seq)
    with app.app_context():
        s = shops.get_shop(shop.id)
        if catalog.find_product(s, product) is None:
            catalog.upsert_product(s, product, {"name": f"Product {product}"})
        photo_ids = [media.upload_photo(s, jpeg(), visitor_hash="t").public_id for _ in range(photos)]
        data = {"rating": rating, "title": title, "body": body, "display_name": name,
                "email": email or f"reviewer{n}@example.com", "photo_ids": photo_ids}
        review = reviews.submit_review(s, product, data, reviews.Visitor(f"v{n}", f"i{n}"))
        if review.status != status:
            moderation.transition(review, status, actor="test", reason=reason if status == "rejected" else None)
            db.session.commit()
        return review.public_id


def review_row(app, public_id: str) -> Review:
    with app.app_context():
        row = db.session.scalar(db.select(Review).where(Review.public_id == public_id))
        db.session.expunge(row)
        return row
