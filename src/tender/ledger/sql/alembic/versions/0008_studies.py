"""Robust-plan studies run by the service: `studies` (`POST /api/v1/studies`).

1. Create `studies`: scenario, seed, K and the fresh samples, status, error, the study's JSON and HTML
   report (the bytes `tender plan --robust --json/--report` writes), who and when.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tender.ledger.sql.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_pk", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("samples", sa.Integer, nullable=False),
        sa.Column("eval_samples", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("result_json", sa.Text),
        sa.Column("report_html", sa.Text),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime),
        sa.Column("created_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("studies")
