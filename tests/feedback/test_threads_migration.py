"""Migration 3f6a9c1d2e84: private feedback stored before threads existed joins threads as new
feedback would (its review's, else its order's for the same address, else its own), open, so the
inbox shows it and a reply can answer it."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from reviews_service import create_app
from reviews_service.extensions import db
from tests.conftest import base_config

BEFORE = "b7e41f0c9d25"
ROWS = [  # id, order_id, email: two messages for one order and address, one alone, one for another address
    (1, 1, "ana@example.com"), (2, 1, "ana@example.com"), (3, None, "ana@example.com"), (4, 1, "bo@example.com")]


def test_feedback_stored_before_threads_is_given_its_threads(tmp_path):
    app = create_app(base_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'old.db'}"))
    with app.app_context():
        upgrade(revision=BEFORE)
        db.session.execute(text("INSERT INTO shops (id, name, slug, public_key, settings, allowed_origins, created_at) "
                                "VALUES (1, 'Shop', 'shop', 'pk_old', '{}', '[]', '2026-01-01 00:00:00.000000')"))
        db.session.execute(text("INSERT INTO customers (id, shop_id, email, name, locale, created_at) VALUES "
                                "(1, 1, 'ana@example.com', 'Ana', 'en', '2026-01-01 00:00:00.000000')"))
        db.session.execute(text("INSERT INTO orders (id, shop_id, external_id, customer_id, status, placed_at, "
                                "currency, total, created_at) VALUES (1, 1, 'O-1', 1, 'placed', "
                                "'2026-01-01 00:00:00.000000', 'EUR', 10, '2026-01-01 00:00:00.000000')"))
        for n, order, email in ROWS:
            db.session.execute(text(
                "INSERT INTO private_feedback (id, public_id, shop_id, order_id, email, author_name, message, "
                "locale, created_at, updated_at) VALUES (:n, :p, 1, :o, :e, 'Ana', :m, 'en', :at, :at)"),
                {"n": n, "p": f"fb-{n}", "o": order, "e": email, "m": f"Message {n}",
                 "at": f"2026-01-0{n} 00:00:00.000000"})
        db.session.commit()

        upgrade(revision="3f6a9c1d2e84")

        joined = dict(db.session.execute(text("SELECT id, thread_id FROM private_feedback")).all())
        assert joined[1] == joined[2] and len({joined[1], joined[3], joined[4]}) == 3
        threads = db.session.execute(text("SELECT status, opened_by, email FROM feedback_threads ORDER BY id")).all()
        assert [tuple(t) for t in threads] == [("open", "feedback", "ana@example.com"),
                                               ("open", "feedback", "ana@example.com"),
                                               ("open", "feedback", "bo@example.com")]
        db.session.remove()
        db.engine.dispose()
