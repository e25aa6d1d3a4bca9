"""tender.sourcing."""
