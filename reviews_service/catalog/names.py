"""People's names as each language writes them: whom to greet, and what to show with a review.

A shop may send the given and family names apart; most send one full name. Where a language's
order of names is settled (Vietnamese puts the family name first and the given name last:
"Nguyễn Thị Lan" is Lan of the Nguyễn family), the parts are read from the full name; elsewhere a
full name is not taken apart for a greeting, because its first word need not be the given name.
Plain functions on strings, so that every room and the tests can use them.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILY_NAME_FIRST = frozenset({"vi"})
GIVEN_NAME_FIRST = frozenset({"hy", "ka"})
# Languages whose public name is the given name and the family name's initial: "Lan N.", "Ani H.".
GIVEN_AND_INITIAL = FAMILY_NAME_FIRST | GIVEN_NAME_FIRST


@dataclass(frozen=True)
class PersonName:
    full: str
    given: str  # "" when neither sent nor settled by the language's order of names
    family: str


def language(locale: str | None) -> str:
    """`vi-VN` -> `vi`."""
    return (locale or "").replace("_", "-").split("-")[0].lower()


def person_name(full: str | None = "", given: str | None = "", family: str | None = "",
                locale: str | None = None) -> PersonName:
    """The name's parts: the ones sent, else the ones the language's order of names gives."""
    full, given, family = (" ".join((part or "").split()) for part in (full, given, family))
    if not full:
        full = " ".join(p for p in ((family, given) if language(locale) in FAMILY_NAME_FIRST
                                    else (given, family)) if p)
    words = full.split()
    if not given and len(words) > 1:
        if language(locale) in FAMILY_NAME_FIRST:
            given, family = words[-1], family or words[0]
        elif language(locale) in GIVEN_NAME_FIRST:
            given, family = words[0], family or words[-1]
    return PersonName(full=full, given=given, family=family)


def greeting(name: PersonName) -> str:
    """Whom an e-mail or a page greets: the given name, else the full name as sent."""
    return name.given or name.full


def first_name(name: PersonName) -> str:
    """The given name, else the full name's first word (a referral code's name part, the name a
    friend sees on a referral link): never the whole name."""
    return name.given or (name.full.split() or [""])[0]


def display_name(name: PersonName, locale: str | None) -> str:
    """The name pre-filled for the reviewer to show (they may change it): the given name and the
    family initial where the language shows names so ("Lan N.", "Ani H."), else the first name."""
    if language(locale) in GIVEN_AND_INITIAL and name.given and name.family:
        return f"{name.given} {_initial(name.family)}."
    return first_name(name)


def _initial(word: str) -> str:
    capital = word[0].upper()
    # Georgian writes names in Mkhedruli, whose capitals (Mtavruli) are for all-caps titles only.
    return word[0] if len(capital) != 1 or "\u1c90" <= capital <= "\u1cbf" else capital


def public_name(name: PersonName, locale: str | None) -> str:
    """The author name stored when the reviewer gave none: the language's short form where it
    has one, else the full name (which the public view shortens to "Ana B.")."""
    if language(locale) in GIVEN_AND_INITIAL and name.given and name.family:
        return display_name(name, locale)
    if name.given and name.family:
        return f"{name.given} {name.family}"
    return name.full


def of_customer(customer) -> PersonName:
    """A customer's name parts (anything with `name`, `given_name`, `family_name` and `locale`)."""
    return person_name(customer.name, customer.given_name, customer.family_name, customer.locale)
