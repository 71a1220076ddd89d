"""What the OpenAPI document says beyond the schemas: the tasks its operations are grouped by, the
errors each operation can answer (as `application/problem+json`), and an example request per task.

An apispec plugin does it as each path is added, so that every blueprint is described by the same
rules; `tests/test_openapi_contract.py` sends generated requests to hold the document to the answers.
"""

from __future__ import annotations

from apispec import BasePlugin

from .errors import PROBLEM_MIME, ProblemSchema

# The docs page shows the tasks in this order.
TAGS = [
    {"name": "Products and orders",
     "description": "The shop's backend pushes its catalog and its orders; an order's fulfilment starts "
                    "the review request. Secret key."},
    {"name": "Reviews",
     "description": "Shoppers read, write, vote on and report reviews (public key in the path); the "
                    "shop's backend reads reviews in every status and exports them (secret key)."},
    {"name": "Ratings",
     "description": "Storefront reads: a product's or the shop's rating, many at once, a star badge, "
                    "JSON-LD and an HTML fragment. Cacheable: ETag, Cache-Control, 304 on If-None-Match."},
    {"name": "Referrals",
     "description": "The referral program: a customer's code and link, visits through a link (public), "
                    "the referrals and the owner's decisions on flagged ones (secret key)."},
    {"name": "Loyalty",
     "description": "The loyalty programme: a customer's points (by the `customer_id` each order answers), "
                    "tier and ledger, adjustments, rewards bought with points (a code from the reward's pool), "
                    "the events the shop reports, and a one-hour customer token for the widget."},
    {"name": "Coupons",
     "description": "The pool of single-use codes that referral rewards and friend offers are drawn from."},
    {"name": "Webhooks",
     "description": "Endpoints that receive signed events (review published, a review of 1 or 2 stars "
                    "to follow up with `review.low_rating`, referral rewarded, ...), "
                    "and the outbox of e-mails and webhooks on their way."},
    {"name": "Shop",
     "description": "The shop's settings (moderation, e-mail timing, staff domains, allowed origins, the "
                    "referral program), and what the widget needs to know about the shop."},
    {"name": "Privacy",
     "description": "A reviewer's data out (export), and a reviewer erased everywhere."},
    {"name": "Moderation",
     "description": "The moderation queue worked from outside the admin: the queue by status and rule, "
                    "approve or reject with a reason from the closed list, public replies, each review's "
                    "history. A key with the `moderation` scope; no answer holds an e-mail address."},
    {"name": "Connections",
     "description": "A Shopify or WooCommerce store connected without code: its domain and webhook secret "
                    "(write-only), the webhook URL and topics to register, the deliveries received. The "
                    "platforms post to `/connect/<platform>/<shop slug>/webhooks`, signed with that secret. "
                    "A key with the `all` scope."},
]

# The task of an operation: by its path first, else by the blueprint that serves it.
_TAG_BY_PATH = {"/api/v1/customers/": "Privacy", "/api/v1/coupons": "Coupons"}
_TAG_BY_BLUEPRINT = {
    "catalog": "Products and orders",
    "reviews_server": "Reviews", "reviews_public": "Reviews", "collecting_public": "Reviews", "feeds": "Reviews",
    "feedback_server": "Reviews", "feedback_public": "Reviews", "feedback_threads": "Reviews",
    "ratings": "Ratings", "ratings_badge": "Ratings", "ratings_seo": "Ratings",
    "survey": "Reviews", "survey_public": "Reviews",
    "referrals": "Referrals", "referrals_public": "Referrals",
    "outbox": "Webhooks",
    "shop": "Shop", "widget_public": "Shop",
    "moderation": "Moderation",
    "connectors": "Connections",
    "loyalty": "Loyalty", "loyalty_public": "Loyalty",
}

# Error answers, each a component that operations refer to.
_PROBLEMS = {
    400: ("BadRequest", "The body is not valid JSON, or it is nested too deeply."),
    401: ("Unauthorized", "No secret key, or one that is not valid or was revoked."),
    403: ("Forbidden", "Not allowed: an origin the shop has not allowed, a token that is not valid here, or "
                       "a secret key without the scope the operation needs (`errors.scope` names it)."),
    404: ("NotFound", "No such shop (public key), or nothing with this id in the shop."),
    409: ("Conflict", "The request conflicts with the current state: see `detail`."),
    413: ("PayloadTooLarge", "The body is larger than allowed."),
    415: ("UnsupportedMediaType", "Writes send application/json (a photo: multipart/form-data)."),
    422: ("UnprocessableContent", "A field is missing or not valid: `errors` names each one."),
    429: ("TooManyRequests", "Over the rate limit: wait `Retry-After` seconds."),
    503: ("ServiceUnavailable", "The database is unavailable for a moment: try again after `Retry-After`."),
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                                "schema": {"type": "integer", "minimum": 0}}}
_NOT_MODIFIED = {"description": "Not modified: the `If-None-Match` ETag is still current.",
                 "headers": {"ETag": {"schema": {"type": "string"}}}}

# Answers particular to some operations, by "METHOD path".
_EXTRA_ANSWERS = {
    "GET /api/v1/reviews": (404,),  # filtered by a product the shop does not have
    "GET /api/v1/customers/export": (404,),  # no reviewer with this e-mail address
    "POST /api/v1/customers/erase": (404,),
    "POST /api/v1/orders": (409,),
    "POST /api/v1/orders/{order_id}/events": (409,),
    "POST /api/v1/public/{public_key}/products/{product_id}/reviews": (409,),
    "POST /api/v1/public/{public_key}/reviews/{review_id}/votes": (409,),  # another browser of a network that voted
    "GET /api/v1/public/{public_key}/review-requests/{token}": (403,),
    "GET /api/v1/public/{public_key}/referrals/me": (403,),
    "POST /api/v1/referrals/{referral_id}/approve": (409,),
    "POST /api/v1/referrals/{referral_id}/reject": (409,),
    "POST /api/v1/reviews/{review_id}/decision": (409,),  # a removed review, or a decision at the same time
    "POST /api/v1/reviews/{review_id}/reply": (409,),  # only a published review is answered in public
    "POST /api/v1/reviews/{review_id}/private-replies": (409,),  # no address to write to: none given, or erased
    "POST /api/v1/feedback/{feedback_id}/replies": (409,),
    # A reviewer's own review: a token of another purpose, shop or review; one withdrawn, removed or
    # rejected, or changed at the same time.
    "GET /api/v1/public/{public_key}/my-review": (403,),
    "PUT /api/v1/public/{public_key}/my-review": (409,),
    "POST /api/v1/public/{public_key}/my-review/withdraw": (409,),
    "POST /api/v1/reviews/{review_id}/revision/decision": (409,),  # decided or replaced meanwhile
    # Not enough points, a balance below zero, an empty pool, the programme off.
    "POST /api/v1/loyalty/customers/{customer_id}/redemptions": (409,),
    "POST /api/v1/loyalty/customers/{customer_id}/adjustments": (409,),  # below zero
    "POST /api/v1/loyalty/customers/{customer_id}/events": (409,),  # the programme off
    "POST /api/v1/loyalty/customers/lookup": (404,),  # no customer with this address
    "POST /api/v1/loyalty/customer-tokens": (404,),  # no such customer in this shop
    # The shopper's panel: a token of another purpose or shop; then as a redemption above.
    "GET /api/v1/public/{public_key}/loyalty/me": (403,),
    "POST /api/v1/public/{public_key}/loyalty/account": (403,),
    "POST /api/v1/public/{public_key}/loyalty/redemptions": (403, 404, 409),
}
# Storefront reads answer 304 to a matching If-None-Match.
_CACHED_PREFIXES = ("/api/v1/public/{public_key}/products/{product_id}/rating",
                    "/api/v1/public/{public_key}/products/{product_id}/reviews",
                    "/api/v1/public/{public_key}/products/{product_id}/badge.svg",
                    "/api/v1/public/{public_key}/products/{product_id}/jsonld",
                    "/api/v1/public/{public_key}/ratings", "/api/v1/public/{public_key}/rating",
                    "/api/v1/public/{public_key}/reviews")

# One example request per task at least, shown on the docs page; tests send each of them.
EXAMPLES = {
    "PUT /api/v1/products/{product_id}": {"body": {
        "name": "Trail shoes", "url": "https://shop.example/p/trail-shoes",
        "image_url": "https://shop.example/img/trail-shoes.jpg", "gtin": "4006381333931",
        "brand": "Hillwalk", "sku": "TS-42"}},
    "POST /api/v1/orders": {"body": {
        "id": "10057", "customer": {"email": "ana@example.com", "name": "Ana Petrosyan", "locale": "en"},
        "items": [{"product_id": "sku-1", "name": "Trail shoes", "quantity": 1, "price": "89.90"}],
        "placed_at": "2026-11-02T09:30:00Z", "currency": "EUR", "total": "89.90"}},
    "POST /api/v1/orders/{order_id}/events": {"body": {"type": "fulfilled",
                                                       "occurred_at": "2026-11-03T15:00:00Z"}},
    "POST /api/v1/public/{public_key}/products/{product_id}/reviews": {"body": {
        "rating": 5, "title": "Warm and dry", "body": "Two wet days on the trail and dry feet.",
        "display_name": "Ana P.", "email": "ana@example.com", "locale": "en"}},
    "GET /api/v1/public/{public_key}/ratings": {"query": {"ids": "sku-1,sku-2,sku-3"}},
    "GET /api/v1/referrals": {"query": {"status": "flagged", "limit": 20}},
    "POST /api/v1/coupons": {"body": {"kind": "friend_offer", "codes": ["WELCOME-8K2D", "WELCOME-J4PX"]}},
    "POST /api/v1/webhooks": {"body": {"url": "https://shop.example/hooks/reviews",
                                       "events": ["review.published"], "description": "Storefront cache"}},
    "PATCH /api/v1/shop": {"body": {"allowed_origins": ["https://shop.example"],
                                    "settings": {"review_request_delay_days": 10}}},
    "GET /api/v1/customers/export": {"query": {"email": "ana@example.com"}},
    "POST /api/v1/customers/erase": {"body": {"email": "ana@example.com"}},
    "GET /api/v1/moderation/queue": {"query": {"status": "pending", "rule": "links", "limit": 20}},
    "POST /api/v1/reviews/{review_id}/decision": {"body": {"decision": "approve",
                                                           "note": "Checked against the order"}},
    "POST /api/v1/reviews/{review_id}/reply": {"body": {"body": "Thank you, Ana! Enjoy the trails."}},
    "PUT /api/v1/connections/{platform}": {"body": {"domain": "hillwalk.myshopify.com",
                                                     "secret": "shpss_5f0c3a9e1b7d4c2a8e6f"}},
    "POST /api/v1/loyalty/customers/lookup": {"body": {"email": "ana@example.com"}},
    "POST /api/v1/loyalty/customers/{customer_id}/redemptions": {"body": {"reward": "five-off"}},
    "POST /api/v1/loyalty/customers/{customer_id}/adjustments": {"body": {
        "points": 200, "reason": "Parcel arrived late: apology from support"}},
    "POST /api/v1/loyalty/customers/{customer_id}/events": {"body": {"type": "birthday", "month": 3, "day": 14}},
}


def task_of(path: str, blueprint_tags: list[str]) -> list[str]:
    """The task tag of an operation; an unknown blueprint keeps its own tag (and a test says so)."""
    for prefix, tag in _TAG_BY_PATH.items():
        if path.startswith(prefix):
            return [tag]
    return [_TAG_BY_BLUEPRINT.get(tag, tag) for tag in blueprint_tags]


def error_answers(method: str, path: str, operation: dict) -> set[int]:
    """The errors an operation can answer, from what it is: server or public, read or write, with a
    body, with parameters; plus those particular to it."""
    public = path.startswith("/api/v1/public/")
    body = operation.get("requestBody", {}).get("content", {})
    codes = {503}
    codes |= {404} if public else {401, 403, 429}
    if "{" in path:
        codes.add(404)
    if operation.get("parameters"):
        codes.add(422)
    if method != "get":
        codes |= {413, 415, 422} if body else set()
        codes |= {400} if "application/json" in body else set()
        codes |= {403, 429} if public else set()
    codes.update(_EXTRA_ANSWERS.get(f"{method.upper()} {path}", ()))
    return codes


class ContractPlugin(BasePlugin):
    """Tags, error answers and examples for every operation, as flask-smorest adds its paths."""

    def init_spec(self, spec) -> None:
        self.spec = spec
        spec.components.schema("Problem", schema=ProblemSchema)
        for status, (name, description) in _PROBLEMS.items():
            spec.components.response(name, {
                "description": description,
                "content": {PROBLEM_MIME: {"schema": {"$ref": "#/components/schemas/Problem"}}},
                **({"headers": _RETRY_AFTER} if status in (429, 503) else {}),
            })

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for method, operation in (operations or {}).items():
            operation["tags"] = task_of(path, operation.get("tags", []))
            responses = operation.setdefault("responses", {})
            # flask-smorest's catch-all `default` and its JSON 422 give way to the real answers.
            responses.pop("default", None)
            for status in error_answers(method, path, operation):
                responses[str(status)] = {"$ref": f"#/components/responses/{_PROBLEMS[status][0]}"}
            if method == "get" and path.startswith(_CACHED_PREFIXES):
                responses["304"] = _NOT_MODIFIED
            _add_example(operation, EXAMPLES.get(f"{method.upper()} {path}"))


def _add_example(operation: dict, example: dict | None) -> None:
    if not example:
        return
    if "body" in example:
        operation["requestBody"]["content"]["application/json"]["example"] = example["body"]
    for parameter in operation.get("parameters", []):
        if parameter.get("name") in example.get("query", {}):
            parameter["example"] = example["query"][parameter["name"]]
