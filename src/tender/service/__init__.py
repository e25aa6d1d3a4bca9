"""tender.service."""
