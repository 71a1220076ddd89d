"""The server's strings are gettext catalogs: the .po files a translation platform takes, the
compiled .mo files the service serves (kept in step with them), and Flask-Babel serving them."""

from __future__ import annotations

import gettext
import importlib.util
import io
import json
import re
import shutil
import string
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g
from flask_babel import get_locale

from reviews_service import create_app, i18n

from .conftest import base_config
from .factories import make_order

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted(i18n.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name if path.suffix == ".po" else None)


def _entries(path: Path) -> dict[str, object]:
    return {m.context: m for m in _read(path) if m.id}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_offered_language_has_a_catalog():
    assert [p.parent.parent.name for p in CATALOGS] == sorted(i18n.SUPPORTED)
    assert {"en", "hy", "ka", "lo", "vi", "ar", "de", "es", "fr", "it", "ja"} <= set(i18n.SUPPORTED)


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_compiled_catalog_is_not_stale(po):
    """Recompiled in memory exactly as `pybabel compile` does (fuzzy entries left out), the .po
    gives the committed .mo byte for byte; run `pybabel compile -d reviews_service/translations`."""
    fresh = io.BytesIO()
    write_mo(fresh, _read(po), use_fuzzy=False)
    assert po.with_suffix(".mo").read_bytes() == fresh.getvalue(), f"{po.with_suffix('.mo')} is stale"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_catalog_header_names_its_translator_and_whether_a_native_speaker_reviewed_it(po):
    catalog = _read(po)
    assert catalog.last_translator and "FULL NAME" not in catalog.last_translator
    reviewed = re.search(r'^"X-Reviewed-By-Native-Speaker: (.*)\\n"$', po.read_text(encoding="utf-8"), re.M)
    expected = {"source language"} if catalog.locale_identifier == "en" else {"yes", "no"}
    assert reviewed and reviewed.group(1) in expected


def _forms(entry) -> tuple[str, ...]:
    """An entry's translations: its one msgstr, or a plural entry's msgstr[0..n-1]."""
    return entry.string if isinstance(entry.string, tuple) else (entry.string,)


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_catalog_translates_the_template_with_the_same_placeholders(po):
    """A plural entry has one translation for each of the language's Plural-Forms, every one of
    them filled in, with the placeholders of the English plural."""
    template = _entries(i18n.TRANSLATIONS / "messages.pot")
    catalog = _read(po)
    entries = {m.context: m for m in catalog if m.id}
    assert entries.keys() == template.keys()
    for key, source in template.items():
        entry = entries[key]
        assert entry.id == source.id, key
        assert not entry.fuzzy, key
        english = source.id if source.pluralizable else (source.id,)
        forms = _forms(entry)
        assert len(forms) == (catalog.num_plurals if source.pluralizable else 1), key
        for form in forms:
            assert form, key
            assert _placeholders(form) == _placeholders(english[-1]), (key, form)
        if po.parent.parent.name != "en":
            assert not set(forms) & set(english), key


def test_every_string_with_a_count_is_a_plural_entry():
    """So that no e-mail says "1 reviews are waiting": the number a string counts with is its
    {count}, and such a string has a singular and a plural for English (and the forms of each
    language); the other placeholders are the same in both."""
    template = _entries(i18n.TRANSLATIONS / "messages.pot")
    plural = {key for key, m in template.items() if m.pluralizable}
    counting = {key for key, m in template.items()
                if "count" in _placeholders(m.id if isinstance(m.id, str) else m.id[1])}
    assert plural == counting
    assert {"email.digest.subject", "email.digest.heading", "email.digest.intro", "review_page.error.too_long",
            "review_page.error.photo_count", "review_page.photos_hint"} <= plural
    for key in plural:
        singular, many = template[key].id
        assert _placeholders(singular) == _placeholders(many), key


# --- served through Flask-Babel ------------------------------------------------------------------

@pytest.fixture
def app_config(tmp_path):
    """A copy of the catalogs in which one Armenian string is marked fuzzy, compiled by pybabel."""
    folder = tmp_path / "translations"
    shutil.copytree(i18n.TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo"))
    po = folder / "hy" / "LC_MESSAGES" / "messages.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgctxt "review_page.title"\n', '#, fuzzy\nmsgctxt "review_page.title"\n', 1),
                  encoding="utf-8")
    CommandLineInterface().run(["pybabel", "-q", "compile", "-d", str(folder)])
    return {"BABEL_TRANSLATION_DIRECTORIES": str(folder)}


def test_a_fuzzy_translation_is_not_served(app, client, shop, tmp_path):
    # Another app of the same process has loaded the packaged Armenian catalog first: each app
    # keeps its own catalogs.
    with create_app(base_config(tmp_path / "other")).test_request_context("/"):
        assert i18n.translate("hy", "review_page.title") != i18n.translate("en", "review_page.title")
    order = make_order(app, shop, fulfilled=True, items=[("sku-1", "Trail shoes")],
                       customer={"email": "ani@example.com", "name": "Ani", "locale": "hy"})
    link = client.get(f"/api/v1/orders/{order}", headers=shop.headers).get_json()["review_request"]["url"]
    page = client.get(link.removeprefix("http://reviews.test")).get_data(as_text=True)

    assert '<html lang="hy"' in page
    assert f"<h1>{i18n.translate('en', 'review_page.title')}</h1>" in page
    assert i18n.translate("hy", "review_page.title") not in page
    assert i18n.translate("hy", "review_page.verified") in page


@pytest.mark.parametrize("query, accept, expected", [
    ("?lang=ka-GE", "vi", "ka"), ("", "ko, lo;q=0.5", "lo"), ("?lang=xx", "vi-VN", "vi"), ("", "", "en"),
    ("?lang=../hy", "*", "en"), ("", "fr-CH, lo;q=0.5", "fr"), ("?lang=ar-EG", "ja", "ar"),
])
def test_flask_babel_picks_the_language_the_pages_pick(app, query, accept, expected):
    with app.test_request_context(f"/{query}", headers={"Accept-Language": accept} if accept else {}):
        assert str(get_locale()) == expected


def test_flask_babel_follows_the_language_a_page_chose(app):
    with app.test_request_context("/?lang=vi"):
        g.page_lang = "hy"
        assert str(get_locale()) == "hy"


# --- the widget's language files, generated from the catalogs ------------------------------------

def _generator():
    spec = importlib.util.spec_from_file_location("widget_catalogs", ROOT / "scripts" / "widget_catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WIDGET_CATALOGS = sorted(i18n.TRANSLATIONS.glob("*/LC_MESSAGES/widget.po"))


def test_every_widget_language_has_a_catalog():
    assert [p.parent.parent.name for p in WIDGET_CATALOGS] == _generator().languages()
    assert len(WIDGET_CATALOGS) == 18


def test_the_committed_widget_files_are_what_the_catalogs_give():
    """python scripts/widget_catalogs.py rewrites them; --check is this test from a shell."""
    assert _generator().stale() == []


@pytest.mark.parametrize("po", CATALOGS + WIDGET_CATALOGS, ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_plural_forms_are_cldrs_rule_for_the_language(po):
    """Each catalog's Plural-Forms gives every count CLDR's category (Babel's data), its forms in
    the order zero, one, two, few, many, other: ru, uk and pl have four, ar six, ja, lo and zh one."""
    catalog, lang = _read(po), po.parent.parent.name
    rule, order = Locale.parse(lang).plural_form, _generator().categories(lang)
    assert catalog.num_plurals == len(order)
    pick = gettext.c2py(catalog.plural_expr)
    for n in (*range(1200), 1_000_000, 2_000_000, 1_000_001, 12_345):
        assert order[pick(n)] == rule(n), n


@pytest.mark.parametrize("po", WIDGET_CATALOGS, ids=lambda p: p.parent.parent.name)
def test_widget_catalog_header_names_its_translator_and_whether_a_native_speaker_reviewed_it(po):
    test_catalog_header_names_its_translator_and_whether_a_native_speaker_reviewed_it(po)


def test_a_fuzzy_or_changed_widget_translation_shows_in_the_generated_file(tmp_path):
    generator = _generator()
    shutil.copytree(i18n.TRANSLATIONS, tmp_path / "t")
    po = generator.po_path("pl", tmp_path / "t")
    text = po.read_text(encoding="utf-8")
    for key in ("locales.title", "locales.reviews_n"):
        text = text.replace(f'msgctxt "{key}"\n', f'#, fuzzy\nmsgctxt "{key}"\n', 1)
    po.write_text(text.replace('msgstr "Ocena: {avg} na 5"', 'msgstr "Ocena {avg} / 5"'), encoding="utf-8")

    table = json.loads(generator.generate("pl", tmp_path / "t")["locales"])

    assert table["title"] == "Customer reviews"
    assert table["reviews_n"] == {"one": "{n} review", "few": "{n} reviews", "many": "{n} reviews",
                                  "other": "{n} reviews"}
    assert table["rated"] == "Ocena {avg} / 5"
    assert table["star_n"]["few"] == "{n} gwiazdki"
