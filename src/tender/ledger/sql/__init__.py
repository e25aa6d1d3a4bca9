"""SQL storage for Tender (SQLite or PostgreSQL): models, migrations, and small stores by role."""

from tender.ledger.sql.engine import Database, default_url, resolve_url, tender_home
from tender.ledger.sql.migrate import current_revision, upgrade

__all__ = ["Database", "current_revision", "default_url", "resolve_url", "tender_home", "upgrade"]
