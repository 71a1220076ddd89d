"""The admin's forms. Each is a FlaskForm, so each validates its CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from ..errors import DomainError
from ..extensions import db
from ..shops.settings import REJECT_REASONS

REJECT_LABELS = {
    "abuse": "Abuse or hate speech",
    "spam": "Spam or advertising",
    "personal_data": "Personal data",
    "off_topic": "Not about the product",
    "illegal": "Illegal content",
    "duplicate": "Duplicate",
    "not_a_review": "Not a review",
}
REASON_CHOICES = [(r, REJECT_LABELS.get(r, r.replace("_", " ").capitalize())) for r in REJECT_REASONS]
IMPORT_FORMATS = [("", "Detect from the columns"), ("judgeme", "Judge.me"), ("yotpo", "Yotpo"),
                  ("okendo", "Okendo"), ("shopify", "Shopify Product Reviews")]


class CsrfForm(FlaskForm):
    """A button that changes something: only the CSRF token to check."""


class LoginForm(FlaskForm):
    email = StringField("E-mail address", validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "type": "email", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=1024)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("New password again", render_kw={"autocomplete": "new-password"},
                            validators=[DataRequired(), EqualTo("new_password", "The two passwords differ.")])


class RejectForm(FlaskForm):
    reason = SelectField("Reason", choices=REASON_CHOICES, validators=[InputRequired()])
    note = StringField("Note for the audit log", validators=[Optional(), Length(max=500)])


class BulkForm(FlaskForm):
    """Approve or reject the checked reviews; the ids arrive as repeated `ids` fields."""

    action = SelectField(choices=[("approve", "Approve"), ("reject", "Reject")],
                         validators=[InputRequired()])
    reason = SelectField("Reason", choices=[("", "Reason for rejecting…"), *REASON_CHOICES],
                         validators=[Optional()])


class ReplyForm(FlaskForm):
    body = TextAreaField("Public reply", validators=[DataRequired(), Length(max=5000)])


class RedactForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=150)])
    body = TextAreaField("Text", validators=[Optional(), Length(max=10000)])


class KeyForm(FlaskForm):
    label = StringField("Label", validators=[Optional(), Length(max=100)],
                        description="Where the key is used, e.g. “production shop”.")


class RotateForm(FlaskForm):
    revoke_now = BooleanField("End the current keys now (for a leaked key) instead of in 24 hours")


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WebhookForm(FlaskForm):
    url = StringField("URL", validators=[DataRequired(), Length(max=2000)],
                      render_kw={"type": "url", "placeholder": "https://shop.example/hooks/reviews"})
    events = MultiCheckboxField("Events", validators=[DataRequired("Choose at least one event.")])
    description = StringField("Description", validators=[Optional(), Length(max=200)])


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import.")],
                     render_kw={"accept": ".csv,text/csv"})
    format = SelectField("Exported from", choices=IMPORT_FORMATS, validators=[Optional()])


def require_csrf(form) -> None:
    """Validate `form`; a missing or stale CSRF token is a 400, before anything changes."""
    if not form.validate() and form.csrf_token.errors:
        abort(400, "The form expired or was not sent from this page. Reload the page and try again.")


def attempt(form, action: Callable[[], Any], *, field: str | None = None) -> tuple[bool, Any]:
    """A posted form's round trip: validate it (a stale CSRF token is a 400), then run `action`
    if it is valid. A refusal of the service is rolled back and its message put on the field it
    names, else on `field`, else above the form. Answers (True, what `action` answered), or
    (False, None) when the page must be shown again, with 422, carrying the form's errors."""
    require_csrf(form)
    if form.errors:
        return False, None
    try:
        return True, action()
    except DomainError as exc:
        db.session.rollback()
        name = next((name for name in exc.errors if name in form), field)
        (form[name].errors if name is not None else form.form_errors).append(exc.detail)
        return False, None
