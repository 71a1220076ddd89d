"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from .errors import problem
from .extensions import db
from .web.limits import limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is up; says nothing about its dependencies."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready when the database answers; 503 otherwise, so traffic goes elsewhere."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return problem(503, "The database does not answer.", headers={"Retry-After": "5"})
    finally:
        db.session.remove()
    return jsonify(status="ready", database="ok")
