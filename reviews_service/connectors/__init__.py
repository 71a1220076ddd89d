"""Connectors: a Shopify or WooCommerce shop sends its webhooks here and needs no code of its own.

A delivery is verified (HMAC over the raw body with the connection's secret, the store's domain),
stored once per platform delivery (a unique key, so a retried or duplicated delivery does nothing),
and mapped onto the catalog's own idempotent operations: the same functions the server API's
orders, products, order events and refunds call. So a webhook creates exactly what the API would.
`backfill.py` imports past orders from a platform's export; `secrets.py` keeps the webhook secrets
encrypted with a key derived from REVIEWS_SECRET_KEY.
"""
