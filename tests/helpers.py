"""Assertions shared by the foundation's tests: the problem+json shape, and "nothing was written"."""

from __future__ import annotations

from sqlalchemy import func, select

from reviews_service.extensions import db

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(response, status: int, *, field: str | None = None) -> dict:
    """The answer is problem+json with `status`; with `field`, its errors and detail name that field."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert PROBLEM_KEYS <= body.keys(), body
    assert body["status"] == status
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    if field is not None:
        assert field in body.get("errors", {}), body
        assert field in body["detail"], body
    return body


def row_counts(app) -> dict[str, int]:
    """How many rows every table holds: equal before and after means nothing was written."""
    with app.app_context():
        counts = {t.name: db.session.scalar(select(func.count()).select_from(t))
                  for t in db.metadata.sorted_tables}
        db.session.remove()
        return counts
