"""What the connections API accepts and answers."""

from __future__ import annotations

from marshmallow import fields, validate

from ..schemas import StrictSchema


class ConnectionIn(StrictSchema):
    domain = fields.String(validate=validate.Length(1, 255), metadata={
        "description": "Shopify: the store's my-store.myshopify.com domain; WooCommerce: the site's host."})
    secret = fields.String(load_only=True, validate=validate.Length(1, 500), metadata={
        "description": "The webhook signing secret (Shopify: shown under Settings > Notifications > "
                       "Webhooks; WooCommerce: the webhook's Secret). Write-only: stored encrypted, "
                       "never answered."})


class ConnectionOut(StrictSchema):
    platform = fields.String()
    domain = fields.String()
    secret_set = fields.Boolean(metadata={"description": "Whether a webhook secret is stored."})
    webhook_url = fields.String(metadata={"description": "Register this URL for every topic below."})
    topics = fields.List(fields.String(), metadata={"description": "The topics to register."})
    app_only_topics = fields.List(fields.String(), metadata={
        "description": "Topics the platform sends to apps only (privacy requests): a connection of "
                       "webhooks made in the store's admin does not get them; erase through "
                       "POST /api/v1/customers/erase or the admin."})
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ConnectionList(StrictSchema):
    connections = fields.List(fields.Nested(ConnectionOut))


class DeliveryOut(StrictSchema):
    topic = fields.String()
    delivery_key = fields.String(metadata={"description": "What de-duplicates it: the platform's event or delivery id."})
    status = fields.String(metadata={"description": "applied, ignored, waiting (for its order) or refused"})
    detail = fields.String()
    order_id = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()


class DeliveryQuery(StrictSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class DeliveryList(StrictSchema):
    deliveries = fields.List(fields.Nested(DeliveryOut))
