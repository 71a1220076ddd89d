"""The demo: a small outdoor shop's data (`seed`, set up by `reviews-service demo`) and the pages
under /demo that embed the widget the way a real shop would (`pages`)."""
