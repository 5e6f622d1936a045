"""Documents that carry archkit's output between marker comments (``archkit embed``)."""
