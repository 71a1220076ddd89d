"""Products, customers and orders, keyed by the shop's own ids; order ingestion (idempotent) and
order events; a customer's unsubscription, data export and erasure.

May import: shops and the plumbing. What an order or an erasure means to the rooms above (a
review request, a referral, a webhook, forgetting a reviewer) is theirs: catalog sends
`order_ingested`, `order_event_recorded`, `customer_erased`, and asks `order_view_requested` and
`customer_export_requested` (events.py); they subscribe."""
