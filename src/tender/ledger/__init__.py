"""tender.ledger."""
