"""`/demo`: a small outdoor shop that embeds the widget the way a real shop would.

A product page (the two-line embed), a collection page (stars.js, one request for every product)
and a thank-you page (the order's widget token: "rate what you bought"). The pages run under a
strict Content-Security-Policy, so they also show that the widget needs no inline script or style.
They use the demo shop that `reviews-service demo` creates (slug "demo").
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, render_template, request, send_file, url_for
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from ...catalog import service as catalog
from ...errors import NotFound
from ...models_base import utcnow
from ...shops import service as shops
from ...web.limits import limiter
from . import seed as demo_shop

bp = Blueprint("demo", __name__, url_prefix="/demo")

CSS = Path(__file__).resolve().parents[2] / "templates" / "demo" / "demo.css"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' {media} https: data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

# What a shop's own product pages would say; the reviews come from the service.
CATALOG = {
    "trail-runner-2": {
        "price": "129.00", "category": "Shoes", "colours": ["Moss", "Slate", "Ember"],
        "sizes": ["40", "41", "42", "43", "44", "45", "46"],
        "summary": "A light, grippy trail shoe with a rock plate and a waterproof lining, made for long "
                   "days on muddy and rocky ground.",
        "details": ["Weight 290 g (size 42)", "5 mm lugs, sticky rubber outsole",
                    "Waterproof, breathable lining", "8 mm drop"],
        "art": ("#2f6f4f", "#e9b949"),
    },
    "merino-tee": {
        "price": "59.00", "category": "Clothing", "colours": ["Charcoal", "Sand", "Fjord"],
        "sizes": ["XS", "S", "M", "L", "XL"],
        "summary": "A soft 150 g merino T-shirt that stays fresh for days and regulates temperature "
                   "on the trail and in town.",
        "details": ["100 % merino wool, 150 g/m²", "Flat seams", "Machine washable at 30 °C"],
        "art": ("#3b4a63", "#c9a66b"),
    },
    "rain-shell": {
        "price": "129.00", "category": "Clothing", "colours": ["Glacier", "Signal red"],
        "sizes": ["S", "M", "L", "XL"],
        "summary": "A 2.5-layer waterproof shell that packs into its own chest pocket.",
        "details": ["20,000 mm waterproof", "Taped seams", "Packs into its chest pocket", "210 g"],
        "art": ("#1f5f8b", "#e4572e"),
    },
    "city-backpack": {
        "price": "99.00", "category": "Bags", "colours": ["Black", "Olive"],
        "sizes": ["20 l"],
        "summary": "A 20-litre commuter pack with a padded laptop sleeve and a ventilated back panel.",
        "details": ["Fits a 15-inch laptop", "Recycled, water-repellent fabric", "Ventilated back panel"],
        "art": ("#2d2d2d", "#8fb339"),
    },
}
DEFAULT_PRODUCT = "trail-runner-2"


def _shop():
    """The demo shop, or a page that says how to create it."""
    try:
        return shops.get_shop(demo_shop.DEMO_SLUG)
    except NotFound:
        abort(404, "There is no demo shop yet: run `reviews-service demo` first.")


def _page(template: str, status: int = 200, **context):
    shop = _shop()
    products = [{"id": pid, "name": name, **CATALOG[pid]} for pid, name, _sku, _gtin in demo_shop.PRODUCTS]
    html = render_template(f"demo/{template}", shop=shop, products=products,
                           service=request.host_url.rstrip("/"), **context)
    # Photos and product images come from the service's public address, whatever host the page
    # was opened on (127.0.0.1 or localhost).
    media = " ".join({_origin(current_app.config["PUBLIC_URL"]), _origin(current_app.config["MEDIA_URL"])})
    return html, status, {"Content-Security-Policy": CSP.format(media=media), "Cache-Control": "no-store",
                          "X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.get("")
@bp.get("/products/<product_id>")
@limiter.exempt
def product(product_id: str = DEFAULT_PRODUCT):
    """A product page with the reviews widget: the two-line embed, and the friend offer of a
    referral link (`?ref=`) above the reviews."""
    if product_id not in CATALOG:
        abort(404)
    name = dict((pid, name) for pid, name, _s, _g in demo_shop.PRODUCTS)[product_id]
    return _page("product.html", product={"id": product_id, "name": name, **CATALOG[product_id]},
                 referral_code=demo_shop.referral_code(_shop()))


@bp.get("/collection")
@limiter.exempt
def collection():
    """A collection page: stars.js fetches every product's rating in one request."""
    return _page("collection.html")


@bp.get("/thank-you")
@limiter.exempt
def thank_you():
    """An order confirmation page with the order's widget token: "rate what you bought"."""
    shop = _shop()
    order = catalog.find_order(shop, request.args.get("order") or demo_shop.THANK_YOU_ORDER)
    if order is None or not order.external_id.startswith("DEMO-"):
        abort(404)
    return _page("thank_you.html", order=order, token=catalog.widget_token(order), csrf_token=generate_csrf())


@bp.post("/thank-you")
@limiter.limit("10 per minute")
def new_order():
    """Place another demo order, to try the thank-you panel again."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return redirect(url_for(".thank_you"), 303)
    shop = _shop()
    order_id = f"DEMO-{utcnow():%Y%m%d%H%M%S%f}"
    catalog.ingest_order(shop, {
        "id": order_id, "customer": {"email": f"{order_id.lower()}@example.com", "name": "Mila Novak",
                                     "locale": "en"},
        "items": [{"product_id": "trail-runner-2", "name": "Trail Runner 2 shoes", "quantity": 1,
                   "price": "129.00"},
                  {"product_id": "city-backpack", "name": "City backpack 20 l", "quantity": 1,
                   "price": "99.00"}],
        "placed_at": utcnow(), "currency": "EUR", "total": "228.00"})
    return redirect(url_for(".thank_you", order=order_id), 303)


@bp.get("/demo.css")
@limiter.exempt
def stylesheet():
    response = send_file(CSS, mimetype="text/css", max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/img/<product_id>.svg")
@limiter.exempt
def image(product_id: str):
    """A flat illustration of a product (the demo has no product photos of its own)."""
    if product_id not in CATALOG:
        abort(404)
    body, accent = CATALOG[product_id]["art"]
    svg = render_template("demo/art.svg.html", kind=product_id, body=body, accent=accent)
    return svg, 200, {"Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=3600",
                      "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'"}
