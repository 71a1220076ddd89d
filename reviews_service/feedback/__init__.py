"""Private feedback: a message only for the shop, beside a review or instead of one. It carries no
stars and is never shown publicly, counted in a rating, or put in a feed."""
