"""tender.contracts."""
