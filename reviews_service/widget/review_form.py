"""The hosted review page's form as posted: read each product's fields, check them against the
limits the API's schema sets, upload the photos, and word the service's refusals for the page."""

from __future__ import annotations

import ntpath
from functools import cache
from typing import Any

from flask import current_app, request

from ..collecting import service
from ..errors import Invalid, TooLarge, Unsupported
from ..reviews import media
from ..reviews.schemas import ReviewIn
from ..shops.service import settings_of
from ..web import callers
from .review_page import Page

STARS = ("1", "2", "3", "4", "5")
PRIVATE_MAX = 5000  # as the API's `private_message`


@cache
def max_length(field: str) -> int:
    """The limit the API's schema sets, so that the page and the API never disagree."""
    return next(v.max for v in ReviewIn().fields[field].validators if getattr(v, "max", None))


def _text(name: str) -> str:
    # Browsers send line breaks as CRLF but count them as one character against maxlength.
    return request.form.get(name, "").replace("\r\n", "\n")


def read_form(open_products) -> dict[str, Any]:
    return {
        "display_name": _text("display_name"),
        "private_message": _text("private_message"),
        "products": {n: {"rating": request.form.get(f"rating-{n}", ""), "title": _text(f"title-{n}"),
                         "body": _text(f"body-{n}"),
                         "photo_ids": request.form.getlist(f"photo-ids-{n}")[:service.MAX_PHOTOS]}
                     for n, _ in open_products},
    }


def check(page: Page, open_products, values: dict, errors: dict[str, list[str]]) -> list[tuple]:
    """Validate every product the customer touched, and upload its photos (also when something
    else is wrong, so that the re-rendered form keeps them). Answers what is ready to submit."""
    settings = settings_of(page.shop)
    name = values["display_name"].strip()
    ready, touched = [], False
    for n, product in open_products:
        v = values["products"][n]
        files = [f for f in request.files.getlist(f"photos-{n}") if f.filename]
        if not (v["rating"] or v["title"].strip() or v["body"].strip() or files or v["photo_ids"]):
            continue  # skipped
        touched = True
        mine: dict[str, list[str]] = {}
        if v["rating"] not in STARS:
            mine[f"rating-{n}"] = [page.t("review_page.error.rating_required")]
        for field in ("title", "body"):
            limit = max_length(field)
            if len(v[field].strip()) > limit:
                mine[f"{field}-{n}"] = [page.t("review_page.error.too_long", count=limit,
                                               used=len(v[field].strip()))]
        if not v["body"].strip() and not settings["allow_rating_only"]:
            mine[f"body-{n}"] = [page.t("review_page.error.body_required")]
        photo_errors = _upload(page, files, v["photo_ids"])
        if photo_errors:
            mine[f"photos-{n}"] = photo_errors
        errors.update(mine)
        if not mine:
            ready.append((n, product, {
                "rating": int(v["rating"]), "title": v["title"].strip(), "body": v["body"].strip(),
                "display_name": name, "token": page.token, "photo_ids": list(v["photo_ids"]),
                "locale": page.chosen_lang,
            }))
    private = values["private_message"].strip()
    if len(private) > PRIVATE_MAX:
        errors["private-message"] = [page.t("review_page.error.too_long", count=PRIVATE_MAX, used=len(private))]
    if not touched and not private:
        errors[f"rating-{open_products[0][0]}"] = [page.t("review_page.error.nothing")]
    if not touched:
        return ready  # private feedback alone: no review, so no name to show with one
    if private and ready:
        ready[0][2]["private_message"] = private  # sent with the first review, stored beside it
    if not name:
        errors["display-name"] = [page.t("review_page.error.name_required")]
    elif len(name) > max_length("display_name"):
        errors["display-name"] = [page.t("review_page.error.too_long", count=max_length("display_name"),
                                         used=len(name))]
    return ready


def _upload(page: Page, files, photo_ids: list[str]) -> list[str]:
    """Upload each file through the photo pipeline, adding its id to `photo_ids`; answers errors."""
    if len(files) + len(photo_ids) > service.MAX_PHOTOS:
        return [page.t("review_page.error.photo_count", count=service.MAX_PHOTOS)]
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    max_mb = max_bytes // (1024 * 1024)
    visitor_hash = callers.visitor_hash()
    errors = []
    for upload in files:
        file = ntpath.basename(upload.filename or "")[-80:]
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            errors.append(page.t("review_page.error.photo_size", file=file, max_mb=max_mb))
            continue
        if not data:
            errors.append(page.t("review_page.error.photo_unreadable", file=file))
            continue
        try:
            photo = media.upload_photo(page.shop, data, visitor_hash=visitor_hash)
        except Unsupported:
            errors.append(page.t("review_page.error.photo_type", file=file))
        except TooLarge:
            errors.append(page.t("review_page.error.photo_size", file=file, max_mb=max_mb))
        except Invalid:
            errors.append(page.t("review_page.error.photo_unreadable", file=file))
        else:
            photo_ids.append(photo.public_id)
    return errors


def service_errors(page: Page, n: int, exc: Invalid, values: dict) -> dict[str, list[str]]:
    """The service's own refusals (the last word on what it accepts), as the page words them."""
    out: dict[str, list[str]] = {}
    for field in exc.errors:
        if field == "display_name":
            out["display-name"] = [page.t("review_page.error.name_required")]
        elif field == "body":
            out[f"body-{n}"] = [page.t("review_page.error.body_required")]
        elif field == "photo_ids":
            values["products"][n]["photo_ids"] = []
            out[f"photos-{n}"] = [page.t("review_page.error.photo_again")]
        elif field in ("title", "rating"):
            out[f"{field}-{n}"] = [page.t("review_page.error.invalid")]
    return out or {f"rating-{n}": [page.t("review_page.error.invalid")]}
