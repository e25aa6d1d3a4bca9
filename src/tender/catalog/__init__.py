"""tender.catalog."""
