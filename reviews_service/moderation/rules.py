"""Auto-moderation: the rules each new review meets, and their re-run when the shop changes them.

Every rule looks at what a review says and where it comes from, never at its stars. That is
enforced by construction: the rules see a `ReviewFacts`, a copy of the review that has no star
rating to read, and the settings have no key about one. A one-star and a five-star review with
the same text get the same decision.

The strictest action among the rules that fire wins (reject > hold > publish); when none fires,
the shop's policy decides (verified buyers and imports published, others held for a moderator).

The shop's settings (shops/settings.py; `<rule>` is each rule's name below). Actions are
"publish" (the rule is off), "hold" or "reject"; reasons are those of REJECT_REASONS.

    rule                   fires on                                           settings besides
    blocklist  (reject)    e-mail, e-mail domain or IP hash on the lists      blocklist_emails, _domains, _ip_hashes
    profanity  (hold)      a listed word: the review's language, the          rule_profanity_languages,
                           `rule_profanity_languages` (["en"]), the shop's    rule_profanity_words
    emails     (hold)      an e-mail address in title, text or name
    phones     (hold)      a phone number (9 to 15 digits) in them
    links      (hold)      a URL, www. or a bare domain in them
    duplicate  (hold)      the same person's (visitor or e-mail) same or      rule_duplicate_days (30),
                           nearly the same text within N days                 rule_duplicate_similarity (0.9)
    burst      (hold)      more than N reviews of one product in M minutes    rule_burst_count (30),
                           (hold or publish only: a burst says nothing about  rule_burst_minutes (60)
                           a review's content; imports are never a burst)

Each rule has `rule_<rule>_action` and, except burst, `rule_<rule>_reason`; the policy has
`auto_publish_verified` and `auto_publish_imported`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select

from ..email_addresses import normalize_email
from ..extensions import db
from ..models_base import utcnow
from ..reviews.models import Review
from ..shops import settings as shop_settings
from ..shops.models import Shop
from . import detect
from .models import AuditEvent

SEVERITY = {"publish": 0, "hold": 1, "reject": 2}
STATUS_OF = {"publish": "published", "hold": "pending", "reject": "rejected"}
# In the order they are tried; between two rules with the same action, the earlier one is named.
RULES = ("blocklist", "profanity", "emails", "phones", "links", "duplicate", "burst")
POLICY_RULES = ("auto_publish_verified", "hold_unverified", "auto_publish_imported", "hold_imported")
MIN_DUPLICATE_CHARS = 20  # "Great!" twice from one person is not a copy-paste campaign
DUPLICATES_COMPARED = 50


@dataclass(frozen=True)
class ReviewFacts:
    """What the rules may know about a review. There is deliberately no star rating here."""

    id: int | None
    shop_id: int
    product_id: int
    title: str
    body: str
    author_name: str
    email: str | None
    locale: str
    visitor_hash: str | None
    ip_hash: str | None
    source: str
    verified_buyer: bool
    created_at: datetime

    @classmethod
    def of(cls, review: Review | ReviewFacts) -> ReviewFacts:
        if isinstance(review, ReviewFacts):
            return review
        return cls(id=review.id, shop_id=review.shop_id, product_id=review.product_id,
                   title=review.title or "", body=review.body or "", author_name=review.author_name or "",
                   email=review.email, locale=review.locale or "", visitor_hash=review.visitor_hash,
                   ip_hash=review.ip_hash, source=review.source or "", verified_buyer=bool(review.verified_buyer),
                   created_at=review.created_at or utcnow())

    @property
    def texts(self) -> tuple[str, ...]:
        """Everything the review shows in public: its title, its text, its author's name."""
        return (self.title, self.body, self.author_name)


@dataclass(frozen=True)
class Decision:
    action: str  # "publish" | "hold" | "reject"
    rule: str  # the rule that decided (Review.moderation_rule), or the policy's name
    reason: str | None  # for "reject": one of REJECT_REASONS
    detail: str  # one line for the audit log and the moderator
    fired: tuple[str, ...] = ()  # every rule that fired, in order

    @property
    def status(self) -> str:
        return STATUS_OF[self.action]

    @property
    def by_policy(self) -> bool:
        return self.rule in POLICY_RULES


class History(Protocol):
    """The reviews that came before, as the duplicate and burst rules need them."""

    def earlier_texts(self, facts: ReviewFacts, since: datetime) -> list[str]:
        """Title and text of the same person's earlier reviews in the shop since `since`."""

    def product_reviews_since(self, facts: ReviewFacts, since: datetime) -> int:
        """How many other reviews of the same product were written since `since`."""


class DatabaseHistory:
    """History read from the reviews table, as of each review's own creation time (so that a
    re-run judges an old review by what came before it, not by what came after)."""

    @staticmethod
    def _before(facts: ReviewFacts):
        at = facts.created_at
        if facts.id is None:
            return Review.created_at <= at
        return and_(Review.id != facts.id,
                    or_(Review.created_at < at, and_(Review.created_at == at, Review.id < facts.id)))

    def earlier_texts(self, facts: ReviewFacts, since: datetime) -> list[str]:
        same_person = [Review.visitor_hash == facts.visitor_hash] if facts.visitor_hash else []
        if facts.email:
            same_person.append(Review.email == facts.email)
        if not same_person:
            return []
        rows = db.session.execute(
            select(Review.title, Review.body).where(
                Review.shop_id == facts.shop_id, or_(*same_person), Review.status != "removed",
                Review.created_at >= since, self._before(facts))
            .order_by(Review.created_at.desc()).limit(DUPLICATES_COMPARED))
        return [f"{title} {body}" for title, body in rows]

    def product_reviews_since(self, facts: ReviewFacts, since: datetime) -> int:
        query = select(func.count()).select_from(Review).where(
            Review.product_id == facts.product_id, Review.source != "import", Review.status != "removed",
            Review.created_at >= since, Review.created_at <= facts.created_at)
        if facts.id is not None:
            query = query.where(Review.id != facts.id)
        return db.session.scalar(query) or 0


# --- the rules: each answers what it found (one line), or None ----------------------------------

def _blocklist(facts: ReviewFacts, settings: dict, history: History) -> str | None:
    email = normalize_email(facts.email)
    if email and email in {e.lower() for e in settings["blocklist_emails"]}:
        return "the reviewer's e-mail address is on the blocklist"
    domain = email.rsplit("@", 1)[-1] if "@" in email else ""
    for blocked in settings["blocklist_domains"]:
        if domain and (domain == blocked or domain.endswith("." + blocked)):
            return f"the e-mail domain {blocked} is on the blocklist"
    if facts.ip_hash and facts.ip_hash in settings["blocklist_ip_hashes"]:
        return "the reviewer's IP address is on the blocklist"
    return None


def _profanity(facts: ReviewFacts, settings: dict, history: History) -> str | None:
    language = facts.locale.split("-", 1)[0].lower()
    lists = [(lang, detect.shipped_list(lang)) for lang in dict.fromkeys(
        [language, *settings["rule_profanity_languages"]]) if lang]
    lists.append(("shop", detect.custom_list(tuple(settings["rule_profanity_words"]))))
    for text in facts.texts:
        for name, words in lists:
            found = detect.find_profanity(text, words)
            if found:
                where = "the shop's list" if name == "shop" else f"the {name} list"
                return f"{found!r} from {where}"
    return None


def _emails(facts: ReviewFacts, settings: dict, history: History) -> str | None:
    if any(detect.find_email(text) for text in facts.texts):
        return "an e-mail address in the text"  # never the address itself: the log is not a copy
    return None


def _phones(facts: ReviewFacts, settings: dict, history: History) -> str | None:
    if any(detect.find_phone(text) for text in facts.texts):
        return "a phone number in the text"
    return None


def _links(facts: ReviewFacts, settings: dict, history: History) -> str | None:
    for text in facts.texts:
        link = detect.find_link(text)
        if link:
            return f"a link: {link[:80]}"
    return None


def _duplicate(facts: ReviewFacts, settings: dict, history: History) -> str | None:
    mine = detect.comparable(f"{facts.title} {facts.body}")
    if len(mine) < MIN_DUPLICATE_CHARS:
        return None
    threshold = settings["rule_duplicate_similarity"]
    since = facts.created_at - timedelta(days=settings["rule_duplicate_days"])
    for earlier in history.earlier_texts(facts, since):
        if detect.at_least_as_similar(mine, detect.comparable(earlier), threshold):
            return (f"the same person wrote the same or nearly the same text within "
                    f"{settings['rule_duplicate_days']} days")
    return None


def _burst(facts: ReviewFacts, settings: dict, history: History) -> str | None:
    if facts.source == "import":
        return None  # a burst is about live traffic; imported history arrives all at once by design
    minutes, limit = settings["rule_burst_minutes"], settings["rule_burst_count"]
    count = history.product_reviews_since(facts, facts.created_at - timedelta(minutes=minutes)) + 1
    if count > limit:
        return f"{count} reviews of this product within {minutes} minutes (more than {limit})"
    return None


_CHECKS = {"blocklist": _blocklist, "profanity": _profanity, "emails": _emails, "phones": _phones,
           "links": _links, "duplicate": _duplicate, "burst": _burst}


def _policy(facts: ReviewFacts, settings: dict) -> Decision:
    if facts.source == "import":
        if settings["auto_publish_imported"]:
            return Decision("publish", "auto_publish_imported", None, "imported, and no rule fired")
        return Decision("hold", "hold_imported", None, "imported reviews wait for a moderator")
    if facts.verified_buyer and settings["auto_publish_verified"]:
        return Decision("publish", "auto_publish_verified", None, "a verified buyer, and no rule fired")
    return Decision("hold", "hold_unverified", None, "not a verified buyer: waits for a moderator")


def evaluate(review: Review | ReviewFacts, settings: dict[str, Any], *,
             recent: History | None = None) -> Decision:
    """Run every rule on `review` and decide: publish, hold or reject, and which rule said so.

    `settings` are the shop's (missing keys take their defaults); `recent` is where the duplicate
    and burst rules look for earlier reviews (the database unless a test passes another)."""
    facts = ReviewFacts.of(review)
    settings = shop_settings.effective(settings)
    history = recent if recent is not None else DatabaseHistory()
    fired: list[tuple[str, str, str]] = []  # (rule, action, detail)
    for name in RULES:
        action = settings[f"rule_{name}_action"]
        if action == "publish":
            continue  # "publish" lets the review through: the rule has nothing to add
        detail = _CHECKS[name](facts, settings, history)
        if detail is not None:
            fired.append((name, action, detail))
    if not fired:
        return _policy(facts, settings)
    name, action, detail = max(fired, key=lambda f: SEVERITY[f[1]])  # max keeps the first of equals
    reason = settings.get(f"rule_{name}_reason") if action == "reject" else None
    return Decision(action, name, reason, detail, tuple(f[0] for f in fired))


# --- re-running the rules over existing reviews: what to change (service.rerun_rules applies it) ---

def decided_by_people(shop: Shop) -> set[int]:
    """Reviews whose latest status change a moderator made: the rules do not overrule a moderator."""
    last = (select(func.max(AuditEvent.id).label("id"))
            .where(AuditEvent.shop_id == shop.id, AuditEvent.action == "status")
            .group_by(AuditEvent.review_id).subquery())
    return set(db.session.scalars(select(AuditEvent.review_id).join(last, AuditEvent.id == last.c.id)
                                  .where(AuditEvent.actor.like("user:%"))))


def rerun_target(status: str, decision: Decision) -> str | None:
    """The status a re-run moves a review in `status` to, or None to leave it."""
    if status == "published" and decision.action != "publish":
        return decision.status
    if status == "pending" and decision.action != "hold":
        return decision.status
    return None
