"""The admin's language: its own gettext domain (`translations/<lang>/LC_MESSAGES/admin.po`, with
English msgids, compiled to `admin.mo`), apart from the shoppers' `messages` catalogs; dates and
numbers from CLDR in the same language. The admin's languages are those with a compiled catalog.

Which language a request gets: the signed-in user's choice (the account page), else the best of
`Accept-Language` among the admin's languages, else English. The choice reaches Flask-Babel as
`g.page_lang`, which `i18n.select_locale` reads first, so the shoppers' pages choose as before.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from babel import Locale
from flask import g, request
from flask_babel import (
    Domain,
    format_date,
    format_datetime,
    format_decimal,
    format_percent,
    get_locale,
    refresh,
)

from .. import i18n

DOMAIN = "admin"
DEFAULT = "en"
# Where the admin writes English, it writes it the international way (`Incentivised`); its dates
# follow CLDR's international English too (`15 Jan 2026`), not the American order.
ENGLISH_PATTERNS = "en_001"

admin_domain = Domain(translation_directories=str(i18n.TRANSLATIONS), domain=DOMAIN)
gettext = admin_domain.gettext
ngettext = admin_domain.ngettext
lazy_gettext = admin_domain.lazy_gettext
_ = gettext


def N_(text: str) -> str:  # noqa: N802  (gettext's name for "extract this, translate it later")
    """Marks a string for the catalog where it is defined; `gettext` translates it where it is shown."""
    return text


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Marks a singular and plural pair for the catalog; `ngettext` translates it where it is shown."""
    return singular, plural


def _discover() -> tuple[str, ...]:
    found = sorted(p.parent.parent.name for p in i18n.TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (DEFAULT, *[code for code in found if code != DEFAULT])


LANGUAGES: tuple[str, ...] = _discover()


def native_name(lang: str) -> str:
    """The language's name in itself, as a picker lists it: `Հայերեն`, `ქართული`, `Tiếng Việt`."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    if "\u10d0" <= name[:1] <= "\u10ff":  # Georgian has no capitals in running text (Mtavruli is all-caps)
        return name
    return name[:1].upper() + name[1:]


def negotiate(*candidates: str | None) -> str | None:
    """The first candidate tag the admin speaks (`hy-AM` is `hy`), or None."""
    for tag in candidates:
        if not tag:
            continue
        tag = tag.strip().replace("_", "-").lower()
        for code in (tag, tag.split("-", 1)[0]):
            if code in LANGUAGES:
                return code
    return None


def choose(chosen: str | None) -> str:
    """The admin's language for this request: the user's own choice, else `Accept-Language`."""
    return negotiate(chosen, *i18n.accept_languages(request.accept_languages)) or DEFAULT


def use(lang: str) -> None:
    """Serve this request's admin page in `lang` (Flask-Babel's selector reads `g.page_lang`)."""
    g.page_lang = lang
    refresh()  # Flask-Babel keeps the locale it chose for the request; a new choice replaces it


def current() -> str:
    return str(get_locale() or DEFAULT)


class FormTranslations:
    """WTForms' own messages ("This field is required.") from the admin's catalog."""

    def gettext(self, string: str) -> str:
        return admin_domain.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return admin_domain.get_translations().ungettext(singular, plural, n)


form_translations = FormTranslations()


# --- dates and numbers ---------------------------------------------------------------------------

def _patterns() -> Locale:
    locale = get_locale() or Locale.parse(DEFAULT)
    return Locale.parse(ENGLISH_PATTERNS) if locale.language == "en" else locale


def date_time(value: datetime | None, zone: tzinfo) -> str:
    """`15 Jan 2026, 23:30 UTC`, `2026 թ. հնվ 15, 23:30 UTC`: CLDR's medium date and 24-hour time
    in the admin's language, in the shop's time zone, with the zone's abbreviation (or offset)."""
    if value is None:
        return "—"
    if value.tzinfo is None:  # SQLite gives back naive datetimes, stored as UTC
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(zone)
    cldr = _patterns()
    pattern = str(cldr.datetime_formats["medium"]).replace("{1}", cldr.datetime_skeletons["yMMMd"].pattern) \
        .replace("{0}", cldr.datetime_skeletons["Hm"].pattern)
    return f"{format_datetime(local, pattern, rebase=False)} {local.tzname()}"


def day_month(value) -> str:
    """`15 Jan`, `15 հնվ`: a week's first day under a chart's axis."""
    return format_date(value, _patterns().datetime_skeletons["MMMd"].pattern, rebase=False)


def month_year(value) -> str:
    """`Mar 2026`, `2026 թ. մրտ`: a month under a chart's axis."""
    return format_date(value, _patterns().datetime_skeletons["yMMM"].pattern, rebase=False)


def number(value: float | None, places: int = 0) -> str:
    """A count or an average with the language's separators; `—` for none."""
    if value is None:
        return "—"
    return format_decimal(value, "#,##0" + ("." + "0" * places if places else ""))


def percent(value: float | None) -> str:
    """A percentage (0–100) in the language's own pattern (`45%`, `45 %`); `—` for none."""
    return "—" if value is None else format_percent(value / 100)
