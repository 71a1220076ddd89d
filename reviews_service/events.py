"""Signals between the rooms (blinker). A lower room sends one, the rooms above subscribe, so that
imports only ever go down. Each is sent inside the transaction of the change it announces (one
exception, said where it is declared), and its receivers run in that transaction: they never
commit, and a receiver that raises rolls the whole change back. A receiver that acts on something
outside the database (a cache, a file) waits for the commit.

Receivers live in the subscribing room (`<room>/subscribers.py`, `connect()`), are connected in
the app factory (`_connect_subscribers`), must not depend on the order they run in, and return at
once when their feature is off for the shop. Each signal below says who sends it, with what."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

published_reviews_changed = _signals.signal("published-reviews-changed", doc="""\
A shop's published reviews gained one, lost one or changed what they show: a review was published,
or a published one was rejected, removed (also by an erasure) or sent back to the queue, its
reviewer's edit was applied, personal data in it was redacted, a photo taken off, or its public
reply written, changed or deleted. Sent with the shop's id as sender and `product_id` (the
product's row id). Listeners: ratings (`freshness`: drops the shop's cached answers at the commit,
in every process), publishing (queues the product's published files).""")

product_rating_changed = _signals.signal("product-rating-changed", doc="""\
A product's rating aggregate, and so its shop's, moved by one published review
(`ratings.service.adjust`: the transition, an applied edit of a published review), inside that
transaction. Sender: the shop's id; `product_id`: the product's row id. Listener: publishing (the
product's and the shop's published files).""")

# --- orders (sent by catalog) ---------------------------------------------------------------------

order_ingested = _signals.signal("order-ingested", doc="""\
A new order was stored (`catalog.service.ingest_order`), inside the transaction that stores it; a
repeated post of the same order sends nothing. Sender: the `Shop`; `order`: the `Order`, flushed,
with its customer and items. Listeners: outbox (the `order.processed` webhook), referrals
(the buyer's own code; the referral of an order that carries a code), loyalty (the order's
points, on hold).""")

order_event_recorded = _signals.signal("order-event-recorded", doc="""\
An order event was applied (`catalog.service.record_event`), inside its transaction; the same
event again sends nothing. Sender: the `Shop`; `order`: the `Order`, its status already changed;
`kind`: "fulfilled", "delivered", "refunded" or "cancelled"; `at`: when it happened (datetime).
Listeners: collecting (schedules the review request, or cancels it on a refund or cancellation),
referrals (a refund or cancellation during the hold rejects the order's referral), loyalty (a
refund or cancellation reverses the order's points).""")

order_refund_recorded = _signals.signal("order-refund-recorded", doc="""\
A refund with its amount was stored (`catalog.refunds.record_refund`: a connector's partial
refund), inside its transaction, before a refund that covers the whole order also records the
`refunded` event; the same refund again sends nothing. Sender: the `Shop`; `order`: the `Order`;
`refund`: the `OrderRefund`. Listener: loyalty (reverses the order's points in proportion).""")

order_view_requested = _signals.signal("order-view-requested", doc="""\
An order's answer is being built (`catalog.service.order_view`: the server API, the
`order.processed` webhook, a customer's export). Sender: the `Order`. Each receiver returns a dict
of the keys it adds to the answer, or None. Listener: collecting (`review_request`).""")

# --- reviews (sent by collecting) -----------------------------------------------------------------

review_submitted = _signals.signal("review-submitted", doc="""\
A shopper's review was stored and given its first status (`collecting.service.submit_review`),
inside that transaction. Sender: the `Shop`; `review`: the `Review`; `order`: the `Order` whose
token vouched for the buyer, or None; `visitor`: the browser (`web.callers.Visitor`);
`referral_code`: the code the widget kept, or None; `private_message`: the reviewer's message only
for the shop, or "". Listeners: referrals (the hand-over of that code attributes the order),
moderation (a review of 1 or 2 stars alerts the shop; it never changes the status the review was
given), feedback (stores the private message beside the review), loyalty (notes the points a
review submitted under the programme earns).""")

helpful_votes_changed = _signals.signal("helpful-votes-changed", doc="""\
A published review's helpful counts, which its public view shows, moved by a shopper's vote
(`collecting.service.vote`), inside that transaction. Sender: the shop's id; `product_id`: the
review's product's row id. Listener: publishing (the product's reviews.json). Not a reason to
drop cached answers: a count may lag for the cache's lifetime.""")

review_decided = _signals.signal("review-decided", doc="""\
A pending review was published or rejected (`moderation.service.transition`: by a rule, the
policy or a moderator), inside that transaction; sent at every such move, so a receiver that acts
on the first decision only keeps its own record of it. Sender: the shop's id; `review`: the
`Review`, its new status set; `reason`: the reject reason, or None. Listeners: referrals (issues
the review incentive once, unless the first decision rejects the review as spam or abuse),
loyalty (grants the review's points the same way).""")

review_revised = _signals.signal("review-revised", doc="""\
A reviewer edited their own review (`collecting`: the edit link from the confirmation e-mail or
the hosted page), inside the transaction that stores the edit as a revision (pending, or applied
at once when the rules publish it). Sender: the shop's id; `review`: the `Review` (its published
version, unchanged while the revision waits); `revision`: the `ReviewRevision`; `old_rating`,
`new_rating`: the stars before and after (the same when only the text changed). Listener:
feedback (an edit after the shop's private reply is audited and counted by direction, so the
compliance panel shows whether private conversations move ratings).""")

# --- referrals (sent by referrals) ----------------------------------------------------------------

referral_approved = _signals.signal("referral-approved", doc="""\
A referral was approved and its referrer rewarded (`referrals.service`), inside that transaction;
once per referral (its reward is unique). Sender: the shop's id; `referral`: the `Referral`.
Listener: loyalty (the referrer's points for an approved referral).""")

# --- customers (sent by catalog, the room that owns them) -----------------------------------------

customer_erased = _signals.signal("customer-erased", doc="""\
A person is being erased (`catalog.privacy.erase`), inside the erasure's transaction: catalog
has blanked the customer and their orders' referral codes; every room erases or blanks what it
holds about them in its receiver, and a future room does the same by subscribing. Sender: the
`Shop`; `email`: the normalised address; `customer_id`: the customer's id, or None when the shop
knows the address only from reviews. A receiver returns None, or a dict of counts for the
erasure's answer (a count above zero means the shop held something). Receivers erase whatever
the switches say today: data kept while a feature was on is theirs to erase after it is off.
What other rooms copied goes too: a room whose data names the person elsewhere (a review's id, a
referral code) asks the outbox and the stored answers to forget what mentions it
(`outbox.service.forget_mentions`, `web.idempotency.forget_mentions`; `mentions.py`).
Listeners: moderation (removes the person's reviews through the transition; the reviews room
blanks them and deletes their photos, votes, reports and replies; moderators' notes on them and
the alert e-mails that listed them), collecting (review requests), referrals (the code, also
where friends' orders and reviews kept it, the browsers seen, the referrals' notes), survey and
feedback (answers, messages, threads, private replies), connectors (deliveries waiting for an
order that name them), outbox (stored messages naming them), web idempotency (stored answers
naming them), loyalty (anonymises the member's ledger).""")

customer_export_requested = _signals.signal("customer-export-requested", doc="""\
A person's data is being exported (`catalog.privacy.export`). Sender: the `Shop`; `email`: the
normalised address; `customer_id`: the customer's id or None. Each receiver returns a dict of the
sections it adds to the export (a non-empty section means the shop holds something), or None.
Listeners: reviews (`reviews`), referrals (`referral_code`, `referrals`, `referral_rewards`,
`referral_invitations`, `review_incentives`), survey (`survey_answers`), feedback
(`private_feedback`, `private_threads`, `private_replies`), loyalty (`loyalty`: balance, birthday, ledger, redemptions).""")

# --- shops (sent by shops) ------------------------------------------------------------------------

shop_settings_changed = _signals.signal("shop-settings-changed", doc="""\
A shop's settings changed (`shops.service.update_shop`). Sent after the change is committed:
what it causes may take many transactions of its own (a re-run of the moderation rules commits in
batches). Sender: the `Shop`; `changed`: the frozenset of setting keys whose effective value
changed; `actor`: who changed them ("api", "user:<id>"); `rerun`: False when the caller re-runs
the moderation rules itself, because it wants their report. Listeners: moderation (re-runs its
rules when a setting they read changed), ratings (drops the shop's cached answers), loyalty (a
new programme: the tiers worked out again), publishing (a new default language: every product's
files, queued in batches).""")
