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
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, StopValidation

from ..errors import DomainError
from ..extensions import db
from ..shops.settings import REJECT_REASONS
from ..web.scopes import SCOPES
from .language import N_, Nn_, _, form_translations
from .language import lazy_gettext as _l

# WTForms' own messages, which the forms below show in the admin's language (AdminForm.Meta).
WTFORMS_MESSAGES = (
    N_("This field is required."), N_("Not a valid choice."), N_("Not a valid integer value."),
    N_("Not a valid decimal value."), N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."), N_("Number must be between %(min)s and %(max)s."),
    Nn_("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    Nn_("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field."),
)

REJECT_LABELS = {
    "abuse": _l("Abuse or hate speech"),
    "spam": _l("Spam or advertising"),
    "personal_data": _l("Personal data"),
    "off_topic": _l("Not about the product"),
    "illegal": _l("Illegal content"),
    "duplicate": _l("Duplicate"),
    "not_a_review": _l("Not a review"),
}
SCOPE_NAMES = {"all": _l("all"), "orders": _l("orders"), "moderation": _l("moderation"),
               "privacy": _l("privacy")}
REASON_CHOICES = [(r, REJECT_LABELS.get(r, r.replace("_", " ").capitalize())) for r in REJECT_REASONS]


class AdminForm(FlaskForm):
    """A form whose labels and messages are in the admin's language, WTForms' own included."""

    class Meta:
        def get_translations(self, form):
            return form_translations


class CsrfForm(AdminForm):
    """A button that changes something: only the CSRF token to check."""


class LoginForm(AdminForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "type": "email", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class PasswordForm(AdminForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1024)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1024)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), render_kw={"autocomplete": "new-password"},
                            validators=[DataRequired(), EqualTo("new_password", _l("The two passwords differ."))])


class LanguageForm(AdminForm):
    """The admin's language for this account; the choices are set by the view (LANGUAGES)."""

    language = SelectField(_l("Language of the admin"), validators=[Optional()],
                           description=_l("The browser's language is used while none is chosen."))


class AlertsForm(AdminForm):
    """Whether this account hears about unhappy customers (moderation/alerts.py)."""

    problem_alerts = BooleanField(
        _l("E-mail me when a customer is unhappy: a review of 1 or 2 stars"),
        description=_l("Those that arrive close together come in one e-mail, so that someone can help "
                       "each customer. It changes nothing in how the reviews are moderated."))


class RejectForm(AdminForm):
    reason = SelectField(_l("Reason"), choices=REASON_CHOICES, validators=[InputRequired()])
    note = StringField(_l("Note for the audit log"), validators=[Optional(), Length(max=500)])


class BulkForm(AdminForm):
    """Approve or reject the checked reviews; the ids arrive as repeated `ids` fields."""

    action = SelectField(choices=[("approve", _l("Approve")), ("reject", _l("Reject"))],
                         validators=[InputRequired()])
    reason = SelectField(_l("Reason"), choices=[("", _l("Reason for rejecting…")), *REASON_CHOICES],
                         validators=[Optional()])


class ReplyForm(AdminForm):
    body = TextAreaField(_l("Public reply"), validators=[DataRequired(), Length(max=5000)])


class RedactForm(AdminForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=150)])
    body = TextAreaField(_l("Text"), validators=[Optional(), Length(max=10000)])


def _at_least_one(field, message) -> None:
    """A group of checkboxes needs one ticked; DataRequired would mark every box `required`."""
    if not field.data:
        raise StopValidation(str(message))


class KeyForm(AdminForm):
    label = StringField(_l("Label"), validators=[Optional(), Length(max=100)],
                        description=_l("Where the key is used, e.g. “production shop”."))
    scopes = SelectMultipleField(
        _l("Scopes"), choices=[(s, SCOPE_NAMES.get(s, s)) for s in SCOPES], default=["all"],
        widget=widgets.ListWidget(prefix_label=False), option_widget=widgets.CheckboxInput(),
        validators=[lambda _form, field: _at_least_one(field, _l("Choose at least one scope."))],
        description=_l("What the key may do: all of it, or orders, moderation (never sees an e-mail "
                       "address), privacy (a reviewer's data exported or erased)."))


class RotateForm(AdminForm):
    revoke_now = BooleanField(_l("End the current keys now (for a leaked key) instead of in 24 hours"))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class WebhookForm(AdminForm):
    url = StringField(_l("URL"), validators=[DataRequired(), Length(max=2000)],
                      render_kw={"type": "url", "placeholder": "https://shop.example/hooks/reviews"})
    events = MultiCheckboxField(_l("Events"), validators=[DataRequired(_l("Choose at least one event."))])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=200)])


class ImportForm(AdminForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))],
                     render_kw={"accept": ".csv,text/csv"})
    format = SelectField(_l("Exported from"), validators=[Optional()])


def require_csrf(form) -> None:
    """Validate `form`; a missing or stale CSRF token is a 400, before anything changes."""
    if not form.validate() and form.csrf_token.errors:
        abort(400, _("The form expired or was not sent from this page. Reload the page and try again."))


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
