"""tender.runtime."""
