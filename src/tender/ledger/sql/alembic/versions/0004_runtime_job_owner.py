"""Runtime jobs carry their owner: `runtime_jobs.team` and `submitted_by`, copied from `job_owners`.

1. Add `team` (indexed) and `submitted_by` to `runtime_jobs` (both nullable: `tender run` has no team);
   each only if missing (a state made with `create_all` from `runtime_tables` may have them already).
2. Copy every `job_owners` row onto its job. The service reads and writes the columns from now on; the
   `job_owners` table is left in place, no longer written (its model lives in `tender.ledger.sql.models`).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    columns = {c["name"] for c in inspector.get_columns("runtime_jobs")}
    if "team" not in columns:
        op.add_column("runtime_jobs", sa.Column("team", sa.String(128), nullable=True))
    if "submitted_by" not in columns:
        op.add_column("runtime_jobs", sa.Column("submitted_by", sa.String(64), nullable=True))
    if "ix_runtime_jobs_team" not in {i["name"] for i in inspector.get_indexes("runtime_jobs")}:
        op.create_index("ix_runtime_jobs_team", "runtime_jobs", ["team"])
    op.execute(
        "UPDATE runtime_jobs SET "
        "team = (SELECT o.team FROM job_owners o WHERE o.job_id = runtime_jobs.id), "
        "submitted_by = (SELECT o.submitted_by FROM job_owners o WHERE o.job_id = runtime_jobs.id) "
        "WHERE id IN (SELECT job_id FROM job_owners)"
    )


def downgrade() -> None:
    op.execute(
        "INSERT INTO job_owners (job_id, team, submitted_by, created_at) "
        "SELECT j.id, j.team, j.submitted_by, CURRENT_TIMESTAMP FROM runtime_jobs j "
        "WHERE j.submitted_by IS NOT NULL AND j.id NOT IN (SELECT job_id FROM job_owners)"
    )
    op.drop_index("ix_runtime_jobs_team", table_name="runtime_jobs")
    with op.batch_alter_table("runtime_jobs") as batch:
        batch.drop_column("submitted_by")
        batch.drop_column("team")
