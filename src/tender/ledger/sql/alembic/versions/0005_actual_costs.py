"""Imported actuals: `actual_costs`, one row per FOCUS cost row (`tender actuals import`).

1. Create `actual_costs` (`tender.ledger.sql.models.ActualCost`): a unique `row_key` (sha256 of the
   provider and the row's canonical content, so a file imported twice adds nothing), provider,
   region, accelerator, SKU, period (YYYY-MM), charge period, categories, currency, billed and
   effective cost and GPU-hours as exact decimal text, the row's columns as JSON.
2. Index (period, provider); install the append-only triggers (as revision 0001 does for the ledger).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tender.ledger.sql.types import DecimalText, UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = "actual_costs"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("row_key", sa.String(64), nullable=False, unique=True),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("provider", sa.String(128), nullable=False),
        sa.Column("region", sa.String(128), nullable=False),
        sa.Column("accelerator", sa.String(64), nullable=False),
        sa.Column("sku", sa.String(200), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("charge_period_start", UtcDateTime, nullable=False),
        sa.Column("charge_period_end", UtcDateTime, nullable=False),
        sa.Column("charge_category", sa.String(32), nullable=False),
        sa.Column("spend_category", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("billed_cost", DecimalText, nullable=False),
        sa.Column("effective_cost", DecimalText, nullable=False),
        sa.Column("gpu_hours", DecimalText, nullable=False),
        sa.Column("row_json", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_actual_costs_period_provider", TABLE, ["period", "provider"])
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":  # tender_append_only() is revision 0001's
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION tender_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION tender_append_only()"
        )
    elif dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only'); END"
            )


def downgrade() -> None:
    op.drop_table(TABLE)
