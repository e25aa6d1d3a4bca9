"""tender.backends."""
