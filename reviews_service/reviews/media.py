"""Review photos: upload through the Pillow pipeline into storage, public URLs, clean-up,
and `/media/...` for the local storage."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app
from sqlalchemy import delete, select

from ..extensions import db
from ..models_base import utcnow
from ..shops.models import Shop
from ..web.limits import limiter
from .models import Photo
from .photos import process_photo
from .storage import LocalStorage, Storage, storage_from_config

ORPHAN_AFTER = timedelta(hours=24)

bp = Blueprint("media", __name__)


def storage() -> Storage:
    """The app's storage, built once per app from its config."""
    ext = current_app.extensions
    if "reviews.storage" not in ext:
        ext["reviews.storage"] = storage_from_config(current_app.config)
    return ext["reviews.storage"]


def upload_photo(shop: Shop, data: bytes, *, visitor_hash: str | None) -> Photo:
    """Decode, check, re-encode and store a photo; answers the row to attach to a review later.

    The original bytes go no further than this function: only Pillow's re-encodings are stored.
    """
    processed = process_photo(data, max_pixels=current_app.config["PHOTO_MAX_PIXELS"])
    token = secrets.token_urlsafe(16)
    folder = token[:2].lower().replace("-", "x").replace("_", "y")
    display_name = f"{folder}/{token}-1600.{processed.ext}"
    thumb_name = f"{folder}/{token}-400.{processed.ext}"
    store = storage()
    store.save(display_name, processed.display.data, processed.content_type)
    try:
        store.save(thumb_name, processed.thumb.data, processed.content_type)
    except Exception:
        store.delete(display_name)  # no row will point at it, so nothing else would remove it
        raise
    photo = Photo(public_id=token, shop_id=shop.id, display_name=display_name, thumb_name=thumb_name,
                  content_type=processed.content_type, width=processed.display.width,
                  height=processed.display.height, thumb_width=processed.thumb.width,
                  thumb_height=processed.thumb.height, visitor_hash=visitor_hash)
    db.session.add(photo)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        delete_files(photo)
        raise
    return photo


def photo_view(photo: Photo, store: Storage | None = None) -> dict:
    store = store or storage()
    return {"id": photo.public_id, "url": store.url(photo.display_name),
            "width": photo.width, "height": photo.height,
            "thumb_url": store.url(photo.thumb_name),
            "thumb_width": photo.thumb_width, "thumb_height": photo.thumb_height}


def delete_files(photo: Photo) -> None:
    store = storage()
    store.delete(photo.display_name)
    store.delete(photo.thumb_name)


def purge_orphans(now=None) -> int:
    """Delete photos never attached to a review within 24 hours (run by `reviews-service check`)."""
    cutoff = (now or utcnow()) - ORPHAN_AFTER
    orphans = list(db.session.scalars(select(Photo).where(Photo.review_id.is_(None),
                                                          Photo.created_at < cutoff)))
    for photo in orphans:
        delete_files(photo)
    if orphans:
        db.session.execute(delete(Photo).where(Photo.id.in_([p.id for p in orphans])))
        db.session.commit()
    return len(orphans)


@bp.get("/media/<path:name>")
@limiter.exempt
def serve(name: str):
    """Local storage only: photos as static files that can never be run as a page."""
    store = storage()
    if not isinstance(store, LocalStorage):
        abort(404)
    try:
        data = store.read(name)
    except (FileNotFoundError, ValueError):
        abort(404)
    mimetype = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(
        name.rsplit(".", 1)[-1], "application/octet-stream")
    response = Response(data, mimetype=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
