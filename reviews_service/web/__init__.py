"""Web plumbing shared by every room's routes: who is calling (`callers`), the API blueprints'
rules (`blueprints`), rate limits (`limits`), `Idempotency-Key` (`idempotency`), cached and
conditional public answers (`caching`), the storefront fast path (`fastpath`) and the drops of
those answers broadcast between processes through Redis (`broadcast`).

It sits with the rest of the plumbing, below every room: it imports no room. Where it needs a
room's knowledge (which shop a key belongs to), the room hands it over in the app factory
(`callers.init_app`), as Flask-Login's user loader does."""
