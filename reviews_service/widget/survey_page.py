"""The survey on the hosted review page: its own small form under the review form, posted to
`/review/survey/<token>`. Opening the page (or the e-mail's link to it) records nothing; only this
form's POST does. Whatever the score, the page goes back to the same review form."""

from __future__ import annotations

from typing import Any

from flask import request, url_for

from ..collecting import requests as review_requests
from ..survey import service as survey
from .review_page import Page

SCORES = [str(n) for n in survey.SCORES]


def context(page: Page, *, values: dict | None = None, errors: dict | None = None) -> dict[str, Any] | None:
    """What the template's survey form needs, or None when the shop asks no question or the link
    is not a review request's (a thank-you page's token answers no survey)."""
    if not survey.enabled(page.shop):
        return None
    grant = review_requests.grant_for_token(page.shop, page.token)
    if grant.request is None:
        return None
    answer = survey.answer_of(grant.request.id)
    if values is None:
        values = {"score": str(answer.score) if answer else "", "comment": answer.comment if answer else ""}
    return {"action": url_for(".answer_survey", token=page.token, lang=page.chosen_lang),
            "answer": values, "errors": errors or {}, "scores": SCORES,
            "saved": answer is not None and request.args.get("survey") == "saved" and not errors,
            "comment_max": survey.COMMENT_MAX}


def read_form() -> dict[str, str]:
    return {"score": request.form.get("score", ""),
            "comment": request.form.get("comment", "").replace("\r\n", "\n")}


def field_errors(page: Page, field: str) -> dict[str, list[str]]:
    """The service's refusal, worded for the page, on the field it names."""
    if field == "comment":
        return {"comment": [page.t("review_page.error.too_long", count=survey.COMMENT_MAX,
                                   used=len(request.form.get("comment", "").strip()))]}
    return {"score": [page.t("survey.error.score")]}
