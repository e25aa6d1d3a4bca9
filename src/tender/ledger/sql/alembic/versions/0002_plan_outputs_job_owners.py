"""Plans keep the planner's ledger CSV; job owners for runtime jobs submitted through the API.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tender.ledger.sql.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("ledger_csv", sa.Text))
    op.create_table(
        "job_owners",
        sa.Column("job_id", sa.String(64), primary_key=True),
        sa.Column("team", sa.String(128), index=True),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_owners")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("ledger_csv")
