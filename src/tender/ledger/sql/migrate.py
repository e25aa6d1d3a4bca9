"""Run the migrations shipped inside the package, programmatically (no alembic.ini on disk).

1. Build an Alembic `Config` whose script location is this package's `alembic/` directory.
2. Open one write transaction (on PostgreSQL: under an advisory lock, so several `tender serve`
   processes starting at once migrate exactly once).
3. `upgrade head` (revision 0003 holds the live runtime's tables, so `tender serve` and `tender agent` share
   one schema); report the revision now current.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from tender.ledger.sql.engine import Database

MIGRATION_LOCK_KEY = 0x7E4E
SCRIPTS = Path(__file__).resolve().parent / "alembic"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    return cfg


def upgrade(db: Database, revision: str = "head") -> str | None:
    """Bring the database to `revision`; return the revision now current."""
    cfg = _config()
    with db.writer.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return current_revision(db)


def current_revision(db: Database) -> str | None:
    with db.reader.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
