"""The widget's language files, generated from gettext catalogs.

`static/widget/locales/<lang>.json` (the widget's strings) and `static/widget/policy/<lang>.json`
(the review-policy page's) are generated from `reviews_service/translations/<lang>/LC_MESSAGES/
widget.po`, the same kind of catalog as the server's `messages.po`: msgctxt is `locales.<key>` or
`policy.<key>`, msgid the English text. A string with plural forms is a gettext plural entry whose
msgstr[i] are the language's CLDR categories (zero, one, two, few, many, other: those the language
has, in that order), and each catalog's Plural-Forms header is CLDR's rule for the language. A fuzzy
or empty translation is not served: the English text goes into the file instead.

    python scripts/widget_catalogs.py           write the JSON files (they are committed)
    python scripts/widget_catalogs.py --check   exit 1 when a committed file is not what the catalogs give
    python scripts/widget_catalogs.py --convert once: the catalogs from today's JSON files
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.dates import tokenize_pattern
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from babel.plural import to_gettext

ROOT = Path(__file__).resolve().parent.parent
WIDGET = ROOT / "static" / "widget"
TRANSLATIONS = ROOT / "reviews_service" / "translations"
FOLDERS = ("locales", "policy")
ORDER = ("zero", "one", "two", "few", "many", "other")
TRANSLATOR = "reviews-service maintainers (drafted without a native speaker)"
# Where CLDR names languages as they stand alone but "Written in {language}" puts the name inside
# the sentence: Vietnamese "Tiếng Anh" is "Viết bằng tiếng Anh" (as the catalog's "bằng tiếng Việt").
LOWER_INITIAL = frozenset({"vi"})


def categories(lang: str) -> list[str]:
    """The language's CLDR plural categories, in the order of the gettext plural forms."""
    tags = Locale.parse(lang).plural_form.tags | {"other"}
    return [tag for tag in ORDER if tag in tags]


def plural_forms(lang: str) -> str:
    # CLDR's operand e (the compact exponent) is 0 for the counts the widget shows; gettext knows only n.
    return re.sub(r"\be\b", "0", to_gettext(Locale.parse(lang).plural_form))


def languages() -> list[str]:
    return sorted(p.stem for p in (WIDGET / "locales").glob("*.json"))


def po_path(lang: str, root: Path = TRANSLATIONS) -> Path:
    return root / lang / "LC_MESSAGES" / "widget.po"


def generate(lang: str, root: Path = TRANSLATIONS) -> dict[str, str]:
    """Each folder's JSON text for `lang`, from its catalog (English where it has no translation)."""
    with po_path(lang, root).open("rb") as f:
        catalog = read_po(f, locale=lang)
    tables: dict[str, dict] = {folder: {} for folder in FOLDERS}
    tags = categories(lang)
    for message in catalog:
        if not message.id:
            continue
        folder, key = message.context.split(".", 1)
        served = not message.fuzzy
        if message.pluralizable:
            forms = list(message.string) if served and all(message.string) else []
            english = {"one": message.id[0], "other": message.id[1]}
            tables[folder][key] = (dict(zip(tags, forms, strict=True)) if len(forms) == len(tags)
                                   else {t: english.get(t, english["other"]) for t in tags})
        else:
            tables[folder][key] = message.string if served and message.string else message.id
    tables["locales"]["_cldr"] = cldr(lang)
    return {folder: _dump(table) for folder, table in tables.items()}


def cldr(lang: str) -> dict:
    """What the widget needs to format dates and numbers where the browser's Intl lacks `lang`.

    `date` is CLDR's medium date with {d} (day), {D} (two-digit day), {M} (an entry of `months`) and
    {y} (year); `months` are the names (or numbers) of the width the pattern asks for; `percent` is
    the percent pattern with # for the number. Numbers use the Latin digits, as the widget's Intl does.
    `plural` and `plurals` give the plural category of a count (see `plural_table`). `languages`
    names each widget language in `lang`, as "Written in {language}" puts it (CLDR's names, which are
    those of the middle of a sentence, but for `LOWER_INITIAL`).
    """
    locale = Locale.parse(lang)
    fields = {("d", 1): "{d}", ("d", 2): "{D}", ("y", 1): "{y}"}
    date, months = "", [str(m) for m in range(1, 13)]
    for kind, value in tokenize_pattern(locale.date_formats["medium"].pattern):
        if kind == "chars":
            date += value
        elif value[0] in "ML":
            date += "{M}"
            width = {1: None, 2: None, 3: "abbreviated", 4: "wide"}[value[1]]
            context = "format" if value[0] == "M" else "stand-alone"
            months = ([f"{m:0{value[1]}}" for m in range(1, 13)] if width is None
                      else [locale.months[context][width][m] for m in range(1, 13)])
        else:
            date += fields[value]  # a pattern with another field fails here, not in a browser
    symbols = locale.number_symbols["latn"]
    percent = re.sub(r"[#,0.]+", "#", locale.percent_formats[None].pattern.split(";")[0])
    return {"date": date, "months": months, "decimal": symbols["decimal"], "group": symbols["group"],
            "percent": percent, "plurals": categories(lang), "plural": plural_table(lang),
            "languages": {code: language_name(locale, code) for code in languages()}}


def language_name(locale: Locale, code: str) -> str:
    name = locale.languages[code]
    return name[0].lower() + name[1:] if str(locale) in LOWER_INITIAL else name


def plural_table(lang: str) -> str:
    """CLDR's plural rule for counts (whole numbers from 0), compactly: character n (0-199) is the
    index in `categories(lang)` of n's category; a count of 200 or more has the category of
    100 + count % 100, except a non-zero multiple of 1,000,000, whose is character 200. This holds
    for every rule that looks at a count's last two digits, at ranges below 200 and at millions
    (French "many"); a rule it does not hold for fails here, not in a browser."""
    rule, tags = Locale.parse(lang).plural_form, categories(lang)
    table = "".join(str(tags.index(rule(n))) for n in (*range(200), 1_000_000))
    samples = (*range(200, 20_000), *(k * 10**j + d for k in range(1, 100) for j in range(3, 10)
                                       for d in (0, 1, 2, 5, 11, 21, 100)))
    for n in samples:
        shown = table[200] if n % 1_000_000 == 0 else table[100 + n % 100]
        if tags[int(shown)] != rule(n):
            raise ValueError(f"{lang}: the compact plural table gives {n} the wrong category")
    return table


def _dump(table: dict) -> str:
    lines = [f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}" for k, v in table.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def stale(root: Path = TRANSLATIONS) -> list[Path]:
    """The committed JSON files that differ from what the catalogs give."""
    found = []
    for lang in languages():
        for folder, text in generate(lang, root).items():
            path = WIDGET / folder / f"{lang}.json"
            if path.read_text(encoding="utf-8") != text:
                found.append(path)
    return found


def convert() -> None:
    english = {folder: json.loads((WIDGET / folder / "en.json").read_text(encoding="utf-8")) for folder in FOLDERS}
    when = datetime(2026, 12, 5, tzinfo=UTC)
    for lang in languages():
        table = {folder: json.loads((WIDGET / folder / f"{lang}.json").read_text(encoding="utf-8"))
                 for folder in FOLDERS}
        catalog = Catalog(locale=lang, domain="widget", project="reviews-service widget", version="0.1",
                          creation_date=when, revision_date=when, last_translator=TRANSLATOR,
                          language_team=f"{lang} <none yet>", fuzzy=False)
        catalog.header_comment = (
            f"# The {lang} strings of the reviews-service widget and review-policy page.\n"
            "# Generates static/widget/locales and policy (python scripts/widget_catalogs.py).\n"
            "# msgctxt is the folder and key of the JSON file; msgid is the English source text.")
        tags = categories(lang)
        # CLDR's rule, not babel's own gettext table (which gives pl, ru and uk three forms, not four).
        catalog.mime_headers = [("Plural-Forms", plural_forms(lang))]
        for folder in FOLDERS:
            for key, text in english[folder].items():
                value = table[folder][key]
                flags = ["python-brace-format"] if "{" in json.dumps(text) else []
                if isinstance(text, dict):
                    catalog.add((text["one"], text["other"]),
                                tuple(value.get(t, value["other"]) for t in tags),
                                context=f"{folder}.{key}", flags=flags)
                else:
                    catalog.add(text, value, context=f"{folder}.{key}", flags=flags)
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=0)
        text = path.read_text(encoding="utf-8")
        reviewed = "source language" if lang == "en" else "no"
        text = text.replace('"Generated-By: ', f'"X-Reviewed-By-Native-Speaker: {reviewed}\\n"\n"Generated-By: ', 1)
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if "--convert" in argv:
        convert()
        return 0
    if "--check" in argv:
        found = stale()
        for path in found:
            print(f"{path.relative_to(ROOT)} is out of date: run python scripts/widget_catalogs.py")
        return 1 if found else 0
    for lang in languages():
        for folder, text in generate(lang).items():
            (WIDGET / folder / f"{lang}.json").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
