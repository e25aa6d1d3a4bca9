"""tender.config."""
