"""Comparisons run by the service: `comparisons` (`POST /api/v1/comparisons`).

1. Create `comparisons`: the base scenario, seed, the variants as submitted (JSON: name and overlay
   text, the base first), status, error, the comparison's JSON and HTML report (the bytes
   `tender compare --json/--report` writes), who and when.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tender.ledger.sql.types import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "comparisons",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_pk", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("variants_json", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("result_json", sa.Text),
        sa.Column("report_html", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime),
        sa.Column("created_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("comparisons")
