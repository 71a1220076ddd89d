r"""What the moderation rules look for in a review's text: profanity (per language, whole words,
case-, accent- and leetspeak-insensitive), links, e-mail addresses, phone numbers, and how alike
two texts are. Pure functions over strings: nothing here touches the database or a review.

Lao, Thai, Khmer, Burmese, Chinese and Japanese put no spaces between words, so a word in one of
those scripts matches where its grapheme clusters (`regex`'s \X: a letter with its vowel signs and
tone marks) follow one another in the text's, never inside a cluster; words of the other scripts
match as whole words. Their marks are letters there, not accents: folding keeps them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import regex

WORDLISTS = Path(__file__).with_name("wordlists")


# The scripts written without spaces between words.
_UNSPACED_CLASS = r"\p{Lao}\p{Thai}\p{Khmer}\p{Myanmar}\p{Han}\p{Hiragana}\p{Katakana}"
_UNSPACED = regex.compile(f"[{_UNSPACED_CLASS}]")
_CLUSTER = regex.compile(r"\X")
_INVISIBLE = regex.compile(r"\p{Cf}+")  # zero-width spaces and joiners: no letter, and a way around a list


def unspaced(text: str) -> bool:
    """Whether `text` has a letter of a script written without spaces between words."""
    return bool(_UNSPACED.search(text))


def clusters(text: str) -> list[str]:
    """`text`'s grapheme clusters: what a reader sees as one character (`ເສື້` is one, of three code points)."""
    return _CLUSTER.findall(text)


def fold(text: str) -> str:
    """Case- and accent-insensitive form: `Scheiße` -> `scheisse`, `Enculé` -> `encule`. The marks
    of the scripts without spaces stay: Lao `ເສື້ອ` (shirt) is not `ເສືອ` (tiger), nor `ば` `は`."""
    decomposed = unicodedata.normalize("NFKD", text)
    if unspaced(decomposed):
        kept, base_kept = [], False
        for c in decomposed:
            if not unicodedata.combining(c):
                base_kept = bool(_UNSPACED.match(c))
            elif not base_kept:
                continue
            kept.append(c)
        stripped = "".join(kept)
    else:
        stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped.casefold())


# --- profanity -----------------------------------------------------------------------------------

# Digits and symbols that stand in for letters. `1` reads as `i` or `l`, so both are tried.
_LEET = str.maketrans({"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
                       "@": "a", "$": "s", "!": "i", "|": "l"})
# A word of a spaced script: letters with their marks, digits, and the symbols leetspeak uses.
_TOKEN = regex.compile(f"(?:(?![{_UNSPACED_CLASS}])[\\p{{L}}\\p{{M}}\\p{{N}}]|[@$!|*])+")
_RUN = re.compile(r"(.)\1{2,}")


@dataclass(frozen=True)
class WordList:
    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]
    # Entries in a script without spaces: their clusters, as `_cluster_line` writes them.
    runs: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes or self.phrases or self.runs)


def _cluster_line(folded: str) -> str:
    """Clusters between NULs (`\\0ກ\\0າ\\0ກີ\\0`): a plain substring search of one such line in
    another then matches whole clusters only, never a letter without the marks it carries."""
    text = " ".join(_INVISIBLE.sub("", folded).split())
    return "\0" + "\0".join(clusters(text)) + "\0"


def compile_words(entries) -> WordList:
    """Entries as the list files hold them: a word, `prefix*`, or a phrase of several words. An
    entry in a script without spaces matches wherever its clusters appear (so `*` adds nothing)."""
    words, prefixes, phrases, runs = set(), [], [], {}
    for entry in entries:
        entry = fold(entry.split("#", 1)[0]).strip()
        if not entry:
            continue
        if unspaced(entry):
            entry = entry.rstrip("*").strip()
            runs[entry] = _cluster_line(entry)
            continue
        parts = entry.split()
        if len(parts) > 1:
            phrases.append(tuple(parts))
        elif entry.endswith("*") and len(entry.rstrip("*")) >= 3:
            # Three letters at least: `a*` would hold every review that has a word with an "a".
            prefixes.append(entry.rstrip("*"))
        elif entry.rstrip("*"):
            words.add(entry.rstrip("*"))
    return WordList(frozenset(words), tuple(sorted(set(prefixes))), tuple(phrases), tuple(runs.items()))


@lru_cache(maxsize=32)
def shipped_list(language: str) -> WordList:
    """The shipped list of a language (`en`, `es`, ...); empty for a language without one."""
    if not re.fullmatch(r"[a-z]{2,3}", language):
        return WordList(frozenset(), (), ())
    path = WORDLISTS / f"{language}.txt"
    if not path.is_file():
        return WordList(frozenset(), (), ())
    return compile_words(path.read_text(encoding="utf-8").splitlines())


@lru_cache(maxsize=256)
def custom_list(words: tuple[str, ...]) -> WordList:
    return compile_words(words)


def _variants(token: str) -> set[str]:
    """The readings of one folded token: as written, with leetspeak decoded, and with stretched
    letters (`fuuuuck`) squeezed. A token of digits only is a number, never leetspeak."""
    core = token.strip("!*|")
    if not core:
        return set()
    readings = {core}
    if any(c.isalpha() for c in core):
        decoded = core.translate(_LEET)
        readings |= {decoded.replace("1", "i"), decoded.replace("1", "l")}
    for reading in list(readings):
        readings.add(_RUN.sub(r"\1", reading))
        readings.add(_RUN.sub(r"\1\1", reading))
    return readings


def _masked(reading: str) -> re.Pattern:
    return re.compile(re.escape(reading).replace(r"\*", "[a-z]"))


def _matches(readings: set[str], words: WordList) -> str | None:
    for reading in readings:
        if "*" in reading:
            # `f*ck`, `sh**`: a masked word matches a listed word of its length, if enough of it shows.
            letters = sum(c.isalpha() for c in reading)
            if letters < 2 or reading.count("*") > letters:
                continue
            for word in words.words:
                if len(word) == len(reading) and _masked(reading).fullmatch(word):
                    return word
            for prefix in words.prefixes:
                if len(reading) >= len(prefix) and _masked(reading[:len(prefix)]).fullmatch(prefix):
                    return prefix + "*"
            continue
        if reading in words.words:
            return reading
        for prefix in words.prefixes:
            if reading.startswith(prefix):
                return prefix + "*"
    return None


def find_profanity(text: str, words: WordList) -> str | None:
    """The first listed word or phrase `text` contains as whole words (as clusters in sequence,
    for the scripts without spaces), as listed; None if none."""
    if not words or not text:
        return None
    folded = fold(text)
    if words.runs and unspaced(folded):
        line = _cluster_line(folded)
        for entry, run in words.runs:
            if run in line:
                return entry
    tokens = [_variants(t) for t in _TOKEN.findall(folded)]
    tokens = [t for t in tokens if t]
    for readings in tokens:
        found = _matches(readings, words)
        if found:
            return found
    for phrase in words.phrases:
        n = len(phrase)
        for start in range(len(tokens) - n + 1):
            if all(phrase[k] in tokens[start + k] for k in range(n)):
                return " ".join(phrase)
    return None


# --- contact data and links ----------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_EMAIL_SPELLED = re.compile(r"[\w.+-]+\s*[(\[{]\s*at\s*[)\]}]\s*[\w-]+\s*(?:[(\[{]\s*dot\s*[)\]}]|\.)\s*[a-z]{2,}",
                            re.IGNORECASE)
_URL = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)
# Bare domains only with top-level domains that are no everyday word in the shipped languages:
# "great.it was" is a missing space, not a link to Italy; "bit.ly/x" and "cheap-watches.shop" are links.
_TLDS = ("com", "net", "org", "info", "biz", "io", "shop", "store", "online", "site", "xyz", "top",
         "club", "ru", "cn", "uk", "fr", "nl", "pl", "eu", "link", "click", "ly", "gg", "app", "buzz",
         "vip", "win", "loan", "icu", "cyou", "sbs")
_DOMAIN = re.compile(r"\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + "|".join(_TLDS) + r")\b(?:/\S*)?",
                     re.IGNORECASE)
# Dates and times are digit runs too: they are taken out before looking for phone numbers.
_DATE = re.compile(r"(?<![-/.])\b(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}\b(?![-/.]\d)"
                   r"|(?<![-/.])\b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d{2}\b(?![-/.]\d)"
                   r"|\b\d{1,2}:\d{2}(?::\d{2})?\b")
_PHONE = re.compile(r"(?<![\w#+])\+?\(?\d[\d\s().\-/]{6,24}\d(?!\w)")


def find_email(text: str) -> bool:
    return bool(text) and bool(_EMAIL.search(text) or _EMAIL_SPELLED.search(text))


def find_link(text: str) -> str | None:
    """The first link or bare domain in `text` (e-mail addresses are not links)."""
    if not text:
        return None
    text = _EMAIL.sub(" ", text)
    found = _URL.search(text) or _DOMAIN.search(text)
    return found.group(0) if found else None


def find_phone(text: str) -> bool:
    """A run of 9 to 15 digits written like a phone number (`+34 612 345 678`, `(555) 123-4567`)."""
    if not text:
        return False
    text = _DATE.sub(" ", _EMAIL.sub(" ", text))
    for match in _PHONE.finditer(text):
        digits = sum(c.isdigit() for c in match.group(0))
        if 9 <= digits <= 15:
            return True
    return False


# --- likeness of two texts -----------------------------------------------------------------------

_NON_WORD = regex.compile(r"[^\p{L}\p{M}\p{N}]+")


def comparable(text: str) -> str:
    """Case, accents, punctuation and spacing do not make two reviews different."""
    return _NON_WORD.sub(" ", fold(text)).strip()


def at_least_as_similar(a: str, b: str, threshold: float) -> bool:
    """Whether two `comparable` texts' similarity ratio (0.0 nothing alike, 1.0 the same) reaches
    `threshold`, with the cheap upper bounds tried first. Texts in a script without spaces are
    compared cluster by cluster, never a vowel sign or tone mark apart from its letter."""
    if a == b:
        return True
    if unspaced(a) or unspaced(b):
        a, b = clusters(a), clusters(b)
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold
            and matcher.ratio() >= threshold)
