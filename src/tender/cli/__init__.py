"""tender.cli."""
