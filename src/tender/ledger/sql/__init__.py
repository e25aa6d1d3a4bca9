"""SQL storage for Tender (SQLite or PostgreSQL): models, migrations, and small stores by role."""

from tender.ledger.sql.engine import (
    BadDatabaseUrl,
    Database,
    check_reachable,
    default_url,
    resolve_url,
    shown_url,
    tender_home,
    unreachable,
)
from tender.ledger.sql.migrate import current_revision, upgrade

__all__ = [
    "BadDatabaseUrl",
    "Database",
    "check_reachable",
    "current_revision",
    "default_url",
    "resolve_url",
    "shown_url",
    "tender_home",
    "unreachable",
    "upgrade",
]
