"""The admin's gettext catalogs (domain "admin"): the template matches the strings in the code, every
language translates every string with the same placeholders and markup, the compiled files are in
step with the .po files, and fuzzy entries are never served."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.support import Translations

from reviews_service import i18n
from reviews_service.admin import language

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = i18n.TRANSLATIONS / "admin.pot"
CATALOGS = sorted(i18n.TRANSLATIONS.glob("*/LC_MESSAGES/admin.po"))
LANGS = [p.parent.parent.name for p in CATALOGS]
# Strings that read the same in every language (placeholders and symbols only, or a standard's name).
SAME_EVERYWHERE = {"%(before)s → %(after)s", "%(changed)s (%(rules)s)", "URL"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
_TAG = re.compile(r"</?\w+[^>]*>")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name if path.suffix == ".po" else None)


def _entries(path: Path) -> dict:
    return {m.id if isinstance(m.id, str) else tuple(m.id): m for m in _read(path) if m.id}


def _shape(text: str) -> tuple[set, list]:
    return set(_PLACEHOLDER.findall(text)), sorted(re.sub(r'="[^"]*"', "", t) for t in _TAG.findall(text))


def test_the_admin_speaks_the_languages_it_has_compiled_catalogs_for():
    assert language.LANGUAGES == ("en", "hy", "ka", "lo", "vi")
    assert LANGS == ["en", "hy", "ka", "lo", "vi"]


def test_the_template_holds_exactly_the_strings_in_the_code(tmp_path):
    """A string added to (or dropped from) the admin's code or templates without updating admin.pot
    fails here; then every catalog test below fails until each language translates it."""
    fresh = tmp_path / "admin.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel-admin.cfg"),
                                "-k", "_l", "-k", "N_", "-k", "Nn_:1,2", "--no-location", "--sort-output",
                                "-o", str(fresh), str(ROOT)])
    assert sorted(_entries(fresh), key=str) == sorted(_entries(TEMPLATE), key=str)


@pytest.mark.parametrize("po", CATALOGS, ids=LANGS)
def test_every_catalog_translates_every_string_with_the_same_placeholders_and_markup(po):
    template, entries = _entries(TEMPLATE), _entries(po)
    assert entries.keys() == template.keys()
    lang = po.parent.parent.name
    for key, entry in entries.items():
        assert not entry.fuzzy, key
        sources = [key] if isinstance(key, str) else list(key)
        forms = [entry.string] if isinstance(key, str) else list(entry.string)
        assert all(forms), key
        placeholders = set().union(*(_shape(s)[0] for s in sources))
        for form in forms:
            found, tags = _shape(form)
            assert found <= placeholders and tags == _shape(sources[-1])[1], (key, form)
        if isinstance(key, str):  # a plural's one-form languages may drop the singular's wording
            assert _shape(forms[0])[0] == placeholders, (key, forms[0])
        if lang != "en" and isinstance(key, str) and key not in SAME_EVERYWHERE:
            assert entry.string != key, key


@pytest.mark.parametrize("po", CATALOGS, ids=LANGS)
def test_plural_forms_are_the_languages_own(po):
    """Babel's gettext plural table (from CLDR): hy counts 0 and 1 as one, lo and vi have one form."""
    catalog = _read(po)
    expected = get_plural(po.parent.parent.name)
    assert (catalog.num_plurals, catalog.plural_expr) == (expected.num_plurals, expected.plural_expr)


@pytest.mark.parametrize("po", CATALOGS, ids=LANGS)
def test_the_header_names_its_translator_and_that_no_native_speaker_reviewed_it(po):
    text = po.read_text(encoding="utf-8")
    catalog = _read(po)
    assert catalog.last_translator == ("reviews-service maintainers (machine-drafted, not reviewed by a "
                                       "native speaker)")
    reviewed = re.search(r'^"X-Reviewed-By-Native-Speaker: (.*)\\n"$', text, re.M).group(1)
    assert reviewed == ("source language" if catalog.locale_identifier == "en" else "no")


@pytest.mark.parametrize("po", CATALOGS, ids=LANGS)
def test_compiled_catalog_is_not_stale(po):
    """Recompiled in memory as `pybabel compile -D admin` does (fuzzy entries left out), the .po gives
    the committed .mo byte for byte."""
    fresh = io.BytesIO()
    write_mo(fresh, _read(po), use_fuzzy=False)
    assert po.with_suffix(".mo").read_bytes() == fresh.getvalue(), f"{po.with_suffix('.mo')} is stale"


def test_a_fuzzy_entry_is_not_served(tmp_path):
    """A translation marked fuzzy (unsure, after a source change) is left out of the compiled
    catalog, so the admin shows the English text rather than a possibly wrong one."""
    po = i18n.TRANSLATIONS / "hy" / "LC_MESSAGES" / "admin.po"
    catalog = _read(po)
    catalog["Moderation queue"].flags.add("fuzzy")
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    served = Translations(io.BytesIO(compiled.getvalue()), domain="admin")
    assert served.gettext("Moderation queue") == "Moderation queue"
    assert served.gettext("Dashboard") == "Վահանակ"
