"""Alembic environment used programmatically by `tender.ledger.sql.migrate` (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from tender.ledger.sql.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
