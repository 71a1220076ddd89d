"""The satisfaction survey: one store-level question on the hosted review page ("How likely are
you to recommend us to a friend?", 0 to 10) and an optional "What could we do better?"; the shop's
NPS from the answers. Private, never a product review, never a gate on anything."""
