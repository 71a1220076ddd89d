"""What the server API accepts and answers for products and orders."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

from marshmallow import ValidationError, fields, post_load, validate, validates, validates_schema

from ..schemas import Money, StrictInteger, StrictSchema, text

_url = fields.Url(schemes={"http", "https"}, validate=validate.Length(max=2000), allow_none=True)
LOCALE = validate.Regexp(r"^[a-zA-Z]{2,3}([-_][A-Za-z0-9]{2,8})?$", error="Not a locale like en or pt-BR.")
# Amounts are stored as numeric(14, 2).
MAX_AMOUNT = Decimal("999999999999.99")


def amount(**kwargs) -> Money:
    return Money(validate=validate.Range(min=0, max=MAX_AMOUNT), **kwargs)


class UTCTimestamp(fields.AwareDateTime):
    """An aware date-time, kept in UTC; one with no UTC equivalent (before year 1, after 9999)
    is refused here instead of overflowing when it is stored."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise self.make_error("invalid", obj_type=self.OBJ_TYPE) from None


class ProductIn(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 500))
    url = _url
    image_url = _url
    gtin = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{8}$|^\d{12,14}$",
                                                                    error="A GTIN has 8, 12, 13 or 14 digits."))
    mpn = text(70, allow_none=True)
    brand = text(100, allow_none=True)
    sku = text(100, allow_none=True)


class ProductOut(StrictSchema):
    id = fields.String(attribute="external_id")
    name = fields.String()
    url = fields.String(allow_none=True)
    image_url = fields.String(allow_none=True)
    gtin = fields.String(allow_none=True)
    mpn = fields.String(allow_none=True)
    brand = fields.String(allow_none=True)
    sku = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


NAME_PART_MAX = 100
# The other spellings shops' platforms use for the same two fields.
NAME_ALIASES = {"first_name": "given_name", "last_name": "family_name"}


class CustomerIn(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = text(200, load_default="", metadata={
        "description": "The full name as the customer writes it (\"Nguyễn Thị Lan\"). With only this, "
                       "greetings use it whole, except where the language settles the order of names "
                       "(vi: family name first)."})
    given_name = text(NAME_PART_MAX, load_default="", metadata={
        "description": "The name to greet the customer by (\"Lan\"); `first_name` is accepted too."})
    family_name = text(NAME_PART_MAX, load_default="", metadata={
        "description": "The family name (\"Nguyễn\"); `last_name` is accepted too. Shown publicly only "
                       "as its initial (\"Lan N.\")."})
    first_name = text(NAME_PART_MAX, load_only=True, metadata={"description": "Same as `given_name`."})
    last_name = text(NAME_PART_MAX, load_only=True, metadata={"description": "Same as `family_name`."})
    locale = fields.String(load_default=None, validate=LOCALE)
    accepts_marketing = fields.Boolean(load_default=False, metadata={
        "description": "Whether the customer agreed to marketing e-mails at this checkout; false when "
                       "absent. Kept with the customer (the latest order's word counts) and read by "
                       "every marketing e-mail; review requests are follow-ups of the purchase and "
                       "do not read it."})

    @validates_schema
    def _one_spelling(self, data, **_):
        for alias, field in NAME_ALIASES.items():
            if data.get(alias) and data.get(field) and data[alias] != data[field]:
                raise ValidationError(f"Send {field} or {alias}, not two different values.", alias)

    @post_load
    def _merge_spellings(self, data, **_):
        for alias, field in NAME_ALIASES.items():
            value = data.pop(alias, "")
            data[field] = data.get(field) or value or ""
        return data


class ItemIn(StrictSchema):
    product_id = fields.String(required=True, validate=validate.Length(1, 255))
    name = fields.String(required=True, validate=validate.Length(1, 500))
    quantity = StrictInteger(load_default=1, validate=validate.Range(1, 100000))
    price = amount(required=True)
    url = _url
    image_url = _url
    sku = text(100, allow_none=True)
    gtin = ProductIn._declared_fields["gtin"]


class ShippingAddressIn(StrictSchema):
    """Only a keyed hash of it is kept (for the referral program's self-referral check)."""

    line1 = text(200, required=True)
    line2 = text(200, load_default="")
    city = text(100, load_default="")
    postal_code = text(20, load_default="")
    region = text(100, load_default="")
    country = fields.String(load_default="", validate=validate.Regexp(r"^([A-Z]{2})?$",
                                                                       error="An ISO 3166 code like DE."))


class OrderIn(StrictSchema):
    id = fields.String(required=True, validate=validate.Length(1, 255))
    customer = fields.Nested(CustomerIn, required=True)
    items = fields.List(fields.Nested(ItemIn), required=True, validate=validate.Length(1, 500))
    placed_at = UTCTimestamp(required=True)
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$",
                                                                      error="An ISO 4217 code like EUR."))
    total = amount(required=True)
    referral_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 64))
    shipping_address = fields.Nested(ShippingAddressIn, load_default=None, allow_none=True)

    @validates("items")
    def _distinct_products(self, items, **_):
        seen = set()
        for item in items:
            product_id = item.get("product_id")  # absent when the item itself was invalid
            if product_id is not None and product_id in seen:
                raise ValidationError(f"Product {product_id!r} appears twice; "
                                      "send one item with its quantity.")
            seen.add(product_id)


class CustomerOut(StrictSchema):
    email = fields.String()
    name = fields.String()
    given_name = fields.String()
    family_name = fields.String()
    locale = fields.String()
    accepts_marketing = fields.Boolean()


class ItemOut(StrictSchema):
    product_id = fields.String()
    name = fields.String()
    quantity = fields.Integer()
    price = Money(dump_only=True)
    refunded_quantity = fields.Integer(metadata={"description": "How many partial refunds took back."})


class RefundLineOut(StrictSchema):
    product_id = fields.String()
    quantity = fields.Integer()


class RefundOut(StrictSchema):
    id = fields.String(metadata={"description": "The platform's refund id."})
    amount = Money(dump_only=True)
    lines = fields.List(fields.Nested(RefundLineOut))
    occurred_at = fields.AwareDateTime()


class ReviewRequestOut(StrictSchema):
    status = fields.String()
    due_at = fields.AwareDateTime(allow_none=True)
    url = fields.String(allow_none=True)
    product_ids = fields.List(fields.String())


class OrderOut(StrictSchema):
    id = fields.String()
    status = fields.String(metadata={"description": "placed, fulfilled, delivered, refunded or cancelled"})
    customer_id = fields.Integer(metadata={"description": "The service's id of the customer: how the loyalty "
                                           "API (/api/v1/loyalty/customers/<customer_id>) names them."})
    customer = fields.Nested(CustomerOut)
    items = fields.List(fields.Nested(ItemOut))
    placed_at = fields.AwareDateTime()
    currency = fields.String()
    total = Money(dump_only=True)
    referral_code = fields.String(allow_none=True)
    fulfilled_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    refunded_at = fields.AwareDateTime(allow_none=True)
    cancelled_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    refunds = fields.List(fields.Nested(RefundOut), metadata={
        "description": "Refunds reported with their amount and lines (a connector's partial refunds)."})
    widget_token = fields.String(metadata={"description": "Render into the thank-you page; lets the "
                                           "widget show this customer's review form (verified)."})
    review_request = fields.Nested(ReviewRequestOut, allow_none=True)


class OrderEventIn(StrictSchema):
    type = fields.String(required=True, validate=validate.OneOf(
        ["fulfilled", "delivered", "refunded", "cancelled"]))
    occurred_at = UTCTimestamp(load_default=None)
    note = text(500, load_default="")
