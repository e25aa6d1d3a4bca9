"""Runtime tables (jobs, attempts, events, usage, settings) and runtime usage in the ledger.

1. Create the live runtime's tables as `tender.ledger.sql.runtime_tables` defines them at this revision
   (frozen here: a later change to those tables needs its own revision). A state directory made before
   this revision already has them (made with `create_all`): each is created only if missing.
2. `ledger_entries.plan_id` becomes nullable: a row with no plan is GPU-hours actually used by one
   attempt of a runtime job (`tender.ledger.sql.runtime_ledger`), not a plan's projection. On SQLite
   the batch rebuild drops the append-only triggers, so they are installed again.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _sqlite_ledger_triggers() -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS ledger_entries_no_{verb.lower()}")
        op.execute(
            f"CREATE TRIGGER ledger_entries_no_{verb.lower()} BEFORE {verb} ON ledger_entries "
            "BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END"
        )


def _plan_id_nullable(nullable: bool) -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ledger_entries_no_{verb}")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.alter_column("plan_id", existing_type=sa.Integer(), nullable=nullable)
    if dialect == "sqlite":
        _sqlite_ledger_triggers()


RUNTIME_TABLES = ("runtime_jobs", "runtime_attempts", "runtime_events", "runtime_usage", "runtime_settings")


def _runtime_tables() -> dict[str, list[SchemaItem]]:
    """Long because: one declarative list of this revision's columns, frozen with the revision."""
    return {
        "runtime_jobs": [
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("id", sa.String(64), nullable=False, unique=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("command", sa.Text, nullable=False),
            sa.Column("gpus", sa.Integer, nullable=False),
            sa.Column("gpu_types", sa.Text, nullable=False),
            sa.Column("workload_class", sa.String(64), nullable=False),
            sa.Column("workload", sa.String(200), nullable=False),
            sa.Column("max_retries", sa.Integer, nullable=False),
            sa.Column("env", sa.Text, nullable=False),
            sa.Column("state", sa.String(16), nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("retries", sa.Integer, nullable=False),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Column("pool_id", sa.String(200), nullable=True),
            sa.Column("cancel_requested", sa.Boolean, nullable=False),
            sa.Column("submitted_at", sa.Float, nullable=False),
            sa.Column("updated_at", sa.Float, nullable=False),
        ],
        "runtime_attempts": [
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("key", sa.String(200), nullable=False, unique=True),
            sa.Column("job_id", sa.String(64), nullable=False, index=True),
            sa.Column("number", sa.Integer, nullable=False),
            sa.Column("pool_id", sa.String(200), nullable=False),
            sa.Column("handle", sa.String(200), nullable=True),
            sa.Column("state", sa.String(16), nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("gpus", sa.Integer, nullable=False),
            sa.Column("created_at", sa.Float, nullable=False),
            sa.Column("started_at", sa.Float, nullable=True),
            sa.Column("ended_at", sa.Float, nullable=True),
            sa.Column("exit_code", sa.Integer, nullable=True),
        ],
        "runtime_events": [
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", sa.Float, nullable=False),
            sa.Column("job_id", sa.String(64), nullable=True, index=True),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("detail", sa.Text, nullable=False),
        ],
        "runtime_usage": [
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("attempt_key", sa.String(200), nullable=False),
            sa.Column("job_id", sa.String(64), nullable=False, index=True),
            sa.Column("pool_id", sa.String(200), nullable=False),
            sa.Column("provider", sa.String(200), nullable=False),
            sa.Column("gpus", sa.Integer, nullable=False),
            sa.Column("seconds", sa.Numeric(18, 3), nullable=False),
            sa.Column("gpu_hours", sa.Numeric(18, 6), nullable=False),
            sa.Column("outcome", sa.String(16), nullable=False),
            sa.UniqueConstraint("attempt_key", name="uq_runtime_usage_attempt"),
        ],
        "runtime_settings": [
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("value", sa.Text, nullable=False),
        ],
    }


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, items in _runtime_tables().items():
        if name not in existing:
            op.create_table(name, *items)
    _plan_id_nullable(True)


def downgrade() -> None:
    _plan_id_nullable(False)
    for name in reversed(RUNTIME_TABLES):
        op.drop_table(name)
