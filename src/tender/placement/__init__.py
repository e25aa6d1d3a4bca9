"""tender.placement."""
