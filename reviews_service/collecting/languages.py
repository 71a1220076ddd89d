"""The language a review is written in, decided when it is submitted: what the client said
(`lang`), else what the text says when the detector is sure, else the language of the form the
reviewer wrote in, else unknown. Nothing is translated.

The detector is py3langid (langid.py's naive Bayes model over byte n-grams: 97 languages, the
widget's 18 among them), with probabilities normalised so that a confidence is comparable across
texts. Short texts are its weak spot ("Super!" reads as Latin), so a text under
`_FULL_LENGTH` letters has its confidence scaled down: a short review takes its form's language.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from py3langid.langid import MODEL_FILE, LanguageIdentifier
from sqlalchemy import bindparam, select, update

from ..extensions import db
from ..reviews.languages import primary_language
from ..reviews.models import Review

# At or above this, a detection outweighs the form's language.
CONFIDENT = 0.8
# Letters from which a text's detection is taken at its word; under it, scaled down in proportion.
_FULL_LENGTH = 12
# Labels that name no language (zxx: no linguistic content; und: undetermined).
_NOT_LANGUAGES = frozenset({"zxx", "und"})

_lock = threading.Lock()
_identifier: LanguageIdentifier | None = None


def _model() -> LanguageIdentifier:
    """The model, loaded once per process on first use (about a second, some 30 MB)."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect(text: str) -> tuple[str | None, float]:
    """(language, confidence in 0..1) of `text`; (None, 0.0) for text without letters."""
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return None, 0.0
    lang, confidence = _model().classify(text)
    if lang in _NOT_LANGUAGES:
        return None, 0.0
    return lang, confidence * min(1.0, letters / _FULL_LENGTH)


def review_language(explicit: str | None, form: str | None, texts: Iterable[str]) -> str | None:
    """The language to store on a review: `explicit` (the API's `lang`) wins; then a confident
    detection of the review's text; then the language of the form it was written in; else None
    (unknown) rather than a guess."""
    if explicit:
        return primary_language(explicit)
    detected, confidence = detect("\n".join(t for t in texts if t))
    if detected and confidence >= CONFIDENT:
        return detected
    return primary_language(form) if form else None


def fill_missing(batch: int = 500) -> Iterator[tuple[int, int]]:
    """Decide the language of the reviews stored without one, `batch` at a time in id order, each
    batch committed: an interrupted run loses at most one batch, and the next run reads only the
    reviews still without a language. Yields (reviews read, languages set) per batch.

    An old review's form language is its `locale`, except for imports, whose locale is the shop's
    default rather than anything the reviewer chose. `updated_at` stays: the text did not change,
    and a sync should not fetch every review again for it."""
    last_id = 0
    while True:
        rows = db.session.execute(
            select(Review.id, Review.title, Review.body, Review.locale, Review.source)
            .where(Review.lang.is_(None), Review.id > last_id).order_by(Review.id).limit(batch)).all()
        if not rows:
            return
        last_id = rows[-1].id
        found = []
        for row in rows:
            form = None if row.source == "import" else row.locale
            lang = review_language(None, form, (row.title, row.body))
            if lang:
                found.append({"review_id": row.id, "found_lang": lang})
        if found:
            table = Review.__table__
            db.session.connection().execute(
                update(table).where(table.c.id == bindparam("review_id"))
                .values(lang=bindparam("found_lang"), updated_at=table.c.updated_at), found)
        db.session.commit()
        yield len(rows), len(found)
