"""The outbox: e-mail and webhook rows written in the transaction of the change that causes them,
the webhook endpoints, rendering and signing, and the worker that delivers them with retries.

It sits just above catalog so that every room can queue into it (`service.enqueue`,
`service.emit_event`). May import: catalog, shops and the plumbing. The worker knows no room
above: the rooms register their periodic jobs and their pre-send checks (`jobs.py`)."""
