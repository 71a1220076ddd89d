"""The demo shop's data, which `reviews-service demo` sets up so that a new user sees everything
working: products, orders, reviews with photos and replies, the referral program."""

from __future__ import annotations

import io
import json
import os
import random
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from ...catalog import service as catalog
from ...collecting import service as reviews
from ...errors import Conflict, NotFound
from ...extensions import db
from ...models_base import utcnow
from ...moderation import service as moderation
from ...referrals import codes, coupons
from ...reviews import media
from ...reviews.models import Reply
from ...shops import service as shops
from ...shops.loyalty import LoyaltySettings
from ...shops.models import User
from ...web.callers import Visitor

DEMO_SLUG = "demo"
PRODUCTS = [
    ("trail-runner-2", "Trail Runner 2 shoes", "TR2-42", "4006381333931"),
    ("merino-tee", "Merino wool T-shirt", "MT-M", "4006381333948"),
    ("rain-shell", "Packable rain shell", "RS-L", "4006381333955"),
    ("city-backpack", "City backpack 20 l", "CB-20", "4006381333962"),
]
STAFF_DOMAIN = "demo-outdoor.example"
OWNER_EMAIL = "owner@" + STAFF_DOMAIN
# The customer whose referral link the demo shows (the first demo order's buyer).
REFERRER_ORDER = "DEMO-1001"
FRIEND_CODE = "WELCOME10"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _keys_file() -> Path:
    return Path(current_app.instance_path) / "demo_shop.json"


def addresses(host: str, port: int, configured: str | None = None) -> tuple[str, list[str]]:
    """The demo's public URL and the origins its pages post from.

    `configured` (REVIEWS_PUBLIC_URL) wins: it is the address people use (a tunnel, a proxy).
    Otherwise the address the server listens on."""
    if host in ("0.0.0.0", "::", ""):  # every interface: this machine reaches it on loopback
        host = "127.0.0.1"
    public = (configured or "").rstrip("/") or f"http://{_bracketed(host)}:{port}"
    origins = set(origins_for(public))
    if host in LOOPBACK:
        origins |= set(origins_for(f"http://127.0.0.1:{port}"))
    return public, sorted(origins)


def origins_for(url: str) -> list[str]:
    """The origin of `url`; a page on a loopback address may be opened as 127.0.0.1 or as
    localhost, and both must be allowed to post."""
    parts = urlsplit(url)
    own = f"{parts.scheme}://{parts.netloc}".lower()
    if parts.hostname not in LOOPBACK:
        return [own]
    port = f":{parts.port}" if parts.port else ""
    return sorted({own, f"{parts.scheme}://127.0.0.1{port}", f"{parts.scheme}://localhost{port}"})


def loopback_port(url: str) -> int | None:
    """The port of a loopback URL (REVIEWS_PUBLIC_URL=http://127.0.0.1:5077): the one to listen on."""
    parts = urlsplit(url)
    return parts.port if parts.hostname in LOOPBACK else None


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def use_public_url(app, public_url: str) -> None:
    """Make `public_url` the app's own address (links, photo URLs), before anything uses it."""
    derived_media = app.config["MEDIA_URL"] == app.config["PUBLIC_URL"] + "/media"
    app.config["PUBLIC_URL"] = public_url
    if derived_media:
        app.config["MEDIA_URL"] = public_url + "/media"


def ensure_demo_shop(public_url: str | None = None, origins: list[str] | None = None) -> dict:
    """Create the demo shop once, and point it at this run's address (also on an instance folder
    set up on another port): by default the app's REVIEWS_PUBLIC_URL. Its keys and its owner's
    password are kept in the instance folder (mode 0600) for the next run; answers them with the
    referral code the demo shows."""
    public_url = public_url or current_app.config["PUBLIC_URL"]
    origins = origins if origins is not None else origins_for(public_url)
    path = _keys_file()
    info = json.loads(path.read_text()) if path.exists() else None
    shop, created = None, None
    if info is not None:
        try:
            shop = shops.get_shop(info["public_key"])
        except NotFound:
            info = None
    if shop is None:
        created = shops.create_shop("Demo Outdoor Shop", slug=DEMO_SLUG, allowed_origins=origins)
        shop = created.shop
        info = {"name": shop.name, "slug": shop.slug, "public_key": shop.public_key,
                "secret_key": created.secret_key}
    point_at(shop, public_url, origins)
    if created is not None:
        seed(shop)
    if "owner_password" not in info:  # new, or set up before the demo had an account
        info["owner_email"], info["owner_password"] = OWNER_EMAIL, secrets.token_urlsafe(12)
        _make_owner(shop, info["owner_password"])
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(info, fh)
    return {**info, "referral_code": referral_code(shop, create=True)}


def _make_owner(shop, password: str) -> None:
    user = db.session.scalar(select(User).where(User.email == OWNER_EMAIL))
    if user is not None:  # the key file was lost, the database kept: the new password holds
        shops.set_password(user, password)
    try:
        shops.create_user(OWNER_EMAIL, password, shop=shop, role="owner")
    except Conflict:
        pass  # already the owner


def point_at(shop, public_url: str, origins: list[str]) -> None:
    """The shop's allowed origins, product links and referral share links for this address."""
    shops.update_shop(shop, {"allowed_origins": origins,
                             "settings": {"referrals": referral_program(public_url),
                                          "loyalty": LoyaltySettings().load(LOYALTY)}}, rerun=False)
    for external_id, name, sku, gtin in PRODUCTS:
        catalog.upsert_product(shop, external_id, {
            "name": name, "sku": sku, "gtin": gtin, "brand": "Demo Outdoor",
            "url": f"{public_url}/demo/products/{external_id}",
            "image_url": f"{public_url}/demo/img/{external_id}.svg",
        })
    if not coupons.available(shop.id, "loyalty:five-off"):  # the loyalty reward's own pool
        coupons.load(shop, "loyalty:five-off", [f"LOYAL-{secrets.token_hex(4).upper()}" for _ in range(20)])
    if not coupons.available(shop.id, "referrer_reward"):
        coupons.load(shop, "referrer_reward", [f"THANKS-{secrets.token_hex(4).upper()}" for _ in range(20)])
    db.session.commit()


# The loyalty programme, so that the thank-you page shows its panel: points for money spent and for
# an approved referral, two tiers, one reward. No points for a review: the demo's reviews stay
# without the incentive label.
LOYALTY = {
    "enabled": True, "currency": "EUR", "point_value": "0.01", "points_per_unit": "1", "for_referral": 100,
    "tiers": [{"id": "bronze", "name": {"en": "Bronze", "hy": "Բրոնզ", "ka": "ბრინჯაო", "lo": "ທອງແດງ", "vi": "Đồng"},
               "threshold": 0},
              {"id": "silver", "name": {"en": "Silver", "hy": "Արծաթ", "ka": "ვერცხლი", "lo": "ເງິນ", "vi": "Bạc"},
               "threshold": 500, "multiplier": "1.5"}],
    "rewards": [{"id": "five-off", "points": 500, "kind": "amount", "value": "5.00", "currency": "EUR"}],
}


def referral_program(public_url: str) -> dict:
    """The program switched on: friends get a shared code, referrers a code from the pool; the
    offers have no description of the shop's, so each reader sees them worded in their language."""
    return {
        "enabled": True,
        "friend_offer": {"description": "", "kind": "percent", "value": "10.00",
                         "currency": None, "code_mode": "shared", "shared_code": FRIEND_CODE},
        "referrer_reward": {"description": "", "kind": "amount",
                            "value": "10.00", "currency": "EUR", "source": "pool"},
        "attribution_days": 30, "hold_days": 30, "min_order_total": "0.00", "max_rewards_per_30_days": 10,
        "share_url_template": f"{public_url}/demo?ref={{code}}", "email_friend_offer": False,
    }


def referral_code(shop, *, create: bool = False) -> str | None:
    """The demo referrer's code, for the `?ref=` link the demo pages show."""
    order = catalog.find_order(shop, REFERRER_ORDER)
    if order is None:
        return None
    code = codes.code_for(shop, order.customer, create=create)
    if create:
        db.session.commit()
    return code.code if code is not None else None


def seed(shop) -> None:
    """A few fulfilled orders, and published reviews with photos and replies, as a shop's
    backend and its customers would have made them."""
    now = utcnow()
    customers = [("ana@example.com", "Ana Petrosyan", "hy"), ("ben@example.com", "Ben Okafor", "en"),
                 ("linh@example.com", "Linh Tran", "vi"), ("nino@example.com", "Nino Beridze", "ka")]
    for n, (email, name, locale) in enumerate(customers, start=1):
        external_id, product_name, _sku, _gtin = PRODUCTS[n % len(PRODUCTS)]
        order, _ = catalog.ingest_order(shop, {
            "id": f"DEMO-{1000 + n}", "customer": {"email": email, "name": name, "locale": locale},
            "items": [{"product_id": external_id, "name": product_name, "quantity": 1, "price": "89.00"}],
            "placed_at": now - timedelta(days=30 - n), "currency": "EUR", "total": "89.00",
        })
        catalog.record_event(shop, order.external_id, "fulfilled", now - timedelta(days=28 - n))
    seed_reviews(shop)


# --- reviews for the demo's product pages ------------------------------------------------------

# product, stars, title, text, reviewer, e-mail, locale, how it came in, photos, days ago, reply
REVIEWS = [
    ("trail-runner-2", 5, "Light, grippy and comfortable from day one",
     "I ran a muddy 21 km trail race in these two weeks after buying them. No blisters, and the grip on wet "
     "roots is the best I have had. They run half a size small, so order up.",
     "Maya Lindqvist", "maya@example.com", "en", "verified", 2, 6, None),
    ("trail-runner-2", 4, "Great shoe, laces could be better",
     "Very stable on rocky descents and they drain quickly after stream crossings. The laces come undone "
     "unless you double-knot them.",
     "Tomás Herrera", "tomas@example.com", "en", "verified", 0, 12,
     "Thank you, Tomás! Since March the Trail Runner 2 ships with a second pair of flat laces that hold "
     "a knot much better. Write to us and we will send you a pair."),
    ("trail-runner-2", 5, "Mein neuer Lieblingsschuh",
     "Bequem ab dem ersten Kilometer, sehr guter Halt am Berg. Nach 300 km kaum Abrieb an der Sohle.",
     "Jonas Becker", "jonas@example.com", "de", "verified", 1, 19, None),
    ("trail-runner-2", 3, "Good grip, narrow toe box",
     "The outsole is excellent, but the toe box is too narrow for my feet on runs over 15 km. "
     "Fine for shorter runs.",
     "Priya Raman", "priya@example.com", "en", "verified", 0, 27, None),
    ("trail-runner-2", 5, "Worth every cent",
     "Third pair now. They last about 800 km for me, which is more than any other trail shoe I have had.",
     "Daniel Okafor", "daniel@example.com", "en", "verified", 0, 41, None),
    ("trail-runner-2", 2, "Soles wore out quickly on asphalt",
     "Great on trails, but I run to the trailhead on roads and the lugs were worn down after two months.",
     "Chris Wong", "chris@example.com", "en", "verified", 0, 55,
     "Sorry to hear that, Chris. The soft lugs trade road durability for grip on trails; for mixed routes "
     "the City Runner is the better choice. Our support team has contacted you about an exchange."),
    ("trail-runner-2", 5, "Perfectas para la montaña",
     "Las usé en el Camino de Santiago, 300 km sin una sola ampolla. Muy ligeras y transpirables.",
     "Lucía Fernández", "lucia@example.com", "es", "verified", 1, 63, None),
    ("trail-runner-2", 4, "Comfortable, a bit warm in summer",
     "Cushioning is spot on for long days. In 30 °C heat my feet got warm, but that is the price of the "
     "waterproof lining.",
     "Sam Taylor", "sam@" + STAFF_DOMAIN, "en", "staff", 0, 70, None),
    ("trail-runner-2", 1, "Fell apart after a month",
     "The upper tore next to the toe cap after four weeks of normal use. Disappointed.",
     "Alex Meyer", "alex@example.com", "en", "verified", 0, 84,
     "We are sorry, Alex. This should not happen: we have refunded your order and sent the pair to our "
     "supplier to find out what went wrong."),
    ("trail-runner-2", 5, "Excellent on technical terrain",
     "Precise, light and the rock plate really works. I got a discount code for writing this review, but "
     "I would have given five stars anyway.",
     "Noor Haddad", "noor@example.com", "en", "incentivized", 1, 96, None),
    ("trail-runner-2", 4, "Solid all-rounder",
     "Bought them at a running event. Good for everything from forest paths to scree.",
     "Ingrid Solberg", "ingrid@example.com", "en", "import", 0, 130, None),
    ("trail-runner-2", 5, "Trop bien !",
     "Légères, confortables, et elles sèchent vite. Je recommande.",
     "Camille Martin", "camille@example.com", "fr", "verified", 0, 150, None),
    ("merino-tee", 5, "Wore it five days straight",
     "On a hiking trip I wore it five days in a row and it still did not smell. Soft, not itchy at all.",
     "Ana Petrosyan", "ana.p@example.com", "hy", "verified", 1, 9, None),
    ("merino-tee", 4, "Lovely fabric, runs long",
     "Very soft merino. It is longer than most T-shirts, which I like for backpacking.",
     "Ben Carter", "ben.c@example.com", "en", "verified", 0, 33, None),
    ("merino-tee", 3, "Small hole after a few washes",
     "Comfortable, but a small hole appeared near the seam after six washes on the wool programme.",
     "Linh Tran", "linh.t@example.com", "vi", "verified", 0, 58,
     "Thank you for telling us, Linh. Merino is delicate near the seams; we have sent you a replacement."),
    ("rain-shell", 5, "Packs into its own pocket",
     "Kept me dry through a full day of rain in the Highlands, and it packs down to the size of an apple.",
     "Fiona MacLeod", "fiona@example.com", "en", "verified", 1, 15, None),
    ("rain-shell", 4, "Dry and light",
     "Does exactly what it should. The hood could be a little bigger to fit over a helmet.",
     "Nino Beridze", "nino.b@example.com", "ka", "verified", 0, 44, None),
    ("city-backpack", 5, "Perfect for commuting",
     "Fits a 15-inch laptop, lunch and a jacket. The back panel keeps my shirt dry on the bike.",
     "Kenji Sato", "kenji@example.com", "ja", "verified", 1, 21, None),
    ("city-backpack", 4, "Great bag, wish it had a bottle pocket",
     "Sturdy and comfortable. A side pocket for a bottle would make it perfect.",
     "Olivia Brown", "olivia@example.com", "en", "verified", 0, 37, None),
]
# Orders left unreviewed, for the thank-you page demo (`/demo/thank-you`).
THANK_YOU_ORDER = "DEMO-2001"


def demo_photo(seed: int, size: tuple[int, int] = (1200, 900)) -> bytes:
    """A landscape-like JPEG: a sky, mountains and a path, different for every seed."""
    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(seed)
    w, h = size
    sky_top = (rnd.randint(40, 90), rnd.randint(110, 160), rnd.randint(190, 240))
    sky_low = (rnd.randint(200, 250), rnd.randint(170, 220), rnd.randint(140, 200))
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        k = y / h
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * k) for a, b in zip(sky_top, sky_low, strict=True)))
    for layer in range(3):
        shade = 60 + layer * 35
        base_y = h * (0.45 + layer * 0.14)
        points = [(0, h)]
        for x in range(0, w + 100, 100):
            points.append((x, base_y - rnd.randint(0, int(h * 0.22))))
        points.append((w, h))
        draw.polygon(points, fill=(shade - 30, shade + rnd.randint(0, 30), shade - 10))
    draw.polygon([(w * 0.45, h), (w * 0.55, h), (w * 0.52, h * 0.72), (w * 0.5, h * 0.72)], fill=(181, 160, 120))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def seed_reviews(shop) -> None:
    """The demo's reviews, through the same services as real ones, then aged and answered."""
    shops.update_shop(shop, {"settings": {"staff_email_domains": [STAFF_DOMAIN]}})
    now = utcnow()
    names = {external_id: name for external_id, name, _sku, _gtin in PRODUCTS}
    visitor = Visitor(visitor_hash="demo-seed", ip_hash="demo-seed")
    for n, (pid, stars, title, body, name, email, locale, kind, photos, days, reply) in enumerate(REVIEWS):
        photo_ids = [media.upload_photo(shop, demo_photo(n * 10 + k), visitor_hash="demo-seed").public_id
                     for k in range(photos)]
        data = {"rating": stars, "title": title, "body": body, "display_name": name, "locale": locale,
                "photo_ids": photo_ids}
        if kind == "verified":
            order, _ = catalog.ingest_order(shop, {
                "id": f"DEMO-R{n + 1:03d}", "customer": {"email": email, "name": name, "locale": locale},
                "items": [{"product_id": pid, "name": names[pid], "quantity": 1, "price": "89.00"}],
                "placed_at": now - timedelta(days=days + 10), "currency": "EUR", "total": "89.00"})
            data["token"] = catalog.widget_token(order)
        else:
            data["email"] = email
        review = reviews.submit_review(shop, pid, data, visitor,
                                       source="import" if kind == "import" else None)
        if review.status != "published":
            # What a moderator does in the admin: unverified reviews wait for one.
            moderation.transition(review, "published", actor="moderator")
        # Demo data only: no API marks a review incentivised, and reviews written today would all
        # carry today's date.
        review.incentivized = kind == "incentivized"
        review.created_at = review.published_at = now - timedelta(days=days, hours=n)
        if reply:
            db.session.add(Reply(review_id=review.id, body=reply, created_at=now - timedelta(days=days - 1)))
        db.session.commit()
        for k in range(stars + (n % 3)):
            reviews.vote(shop, review.public_id, 1, Visitor(f"demo-voter-{k}", f"demo-voter-{k}"))
    catalog.ingest_order(shop, {
        "id": THANK_YOU_ORDER, "customer": {"email": "mila@example.com", "name": "Mila Novak", "locale": "en"},
        "items": [{"product_id": "rain-shell", "name": "Packable rain shell", "quantity": 1, "price": "129.00"},
                  {"product_id": "merino-tee", "name": "Merino wool T-shirt", "quantity": 2, "price": "59.00"}],
        "placed_at": now, "currency": "EUR", "total": "247.00"})
