"""Convert the old JSON string files (reviews_service/locales/<area>/<lang>.json) into gettext
catalogs: reviews_service/translations/messages.pot and <lang>/LC_MESSAGES/messages.po.

Each string's msgid is its English text, as translation platforms expect (they show the msgid as
the source and match translation memory on it); its msgctxt is the old key ("review_page.title"),
so code keeps looking strings up by key and two identical English strings used in different
places can still be translated differently. It ran once, in the commit that removed locales/
(the JSON files are in that commit's parent); the catalogs are the source now: edit a .po (or let
a platform do it), then `pybabel compile -d reviews_service/translations`.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "reviews_service" / "locales"
TRANSLATIONS = ROOT / "reviews_service" / "translations"
# Nobody recorded who wrote the seed translations: they were drafted by the maintainers, and no
# native speaker has reviewed them yet. The header says so until one does.
TRANSLATOR = "reviews-service maintainers (drafted without a native speaker)"


def _strings(lang: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for area in ("server", "email"):
        data.update(json.loads((LOCALES / area / f"{lang}.json").read_text(encoding="utf-8")))
    return data


def _catalog(lang: str | None, english: dict[str, str], translated: dict[str, str]) -> Catalog:
    when = datetime(2026, 12, 5, tzinfo=UTC)
    catalog = Catalog(locale=lang, project="reviews-service", version="0.1", creation_date=when,
                      revision_date=when, last_translator=TRANSLATOR if lang else None,
                      language_team=f"{lang} <none yet>" if lang else None, fuzzy=False)
    catalog.header_comment = _comment(lang)
    for key, text in english.items():
        flags = ["python-brace-format"] if "{" in text else []
        catalog.add(text, translated.get(key, "") if lang else "", context=key, flags=flags)
    return catalog


def _comment(lang: str | None) -> str:
    name = f"The {lang} strings" if lang else "The strings"
    return (f"# {name} of reviews-service (hosted pages, policy, unsubscribe and error pages, e-mails).\n"
            "# This file is distributed under the same license as the reviews-service project.\n"
            "# msgctxt is the key the code looks the string up by; msgid is the English source text.")


def _reviewed(lang: str) -> str:
    """The header line that says whether a native speaker has reviewed the catalog: babel's Catalog
    keeps only the headers it knows, so it goes into the written text (translation platforms and
    msgmerge keep unknown headers)."""
    return f'"X-Reviewed-By-Native-Speaker: {"source language" if lang == "en" else "no"}\\n"\n'


def main() -> int:
    english = _strings("en")
    TRANSLATIONS.mkdir(exist_ok=True)
    with open(TRANSLATIONS / "messages.pot", "wb") as out:
        write_po(out, _catalog(None, english, {}), width=0, omit_header=False)
    for path in sorted((LOCALES / "server").glob("*.json")):
        lang = path.stem
        folder = TRANSLATIONS / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "messages.po", "wb") as out:
            write_po(out, _catalog(lang, english, _strings(lang)), width=0)
        text = (folder / "messages.po").read_text(encoding="utf-8")
        marker = '"Generated-By: '
        (folder / "messages.po").write_text(text.replace(marker, _reviewed(lang) + marker, 1),
                                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
