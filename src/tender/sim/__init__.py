"""tender.sim."""
