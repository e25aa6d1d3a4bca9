"""Runtime attempts remember their devices; runtime jobs carry their reason code and clause id apart.

1. `runtime_attempts.devices`: the device indices Tender gave an attempt on an engine that does not assign
   them itself (local processes: `CUDA_VISIBLE_DEVICES`), comma-separated; NULL where the engine assigns.
2. `runtime_jobs.reason_code` / `reason_clause`: the reason code (`capacity`, `engine_unreachable`,
   `exclusive_to_other`, ...) and the contract clause id of `reason`, for the CLI, the API and the dashboard.
Each column only if missing (a state made with `create_all` from `runtime_tables` has them already).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("runtime_attempts", "devices", sa.String(200)),
    ("runtime_jobs", "reason_code", sa.String(64)),
    ("runtime_jobs", "reason_clause", sa.String(200)),
)


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table, name, kind in _COLUMNS:
        if name not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for table, name, _kind in reversed(_COLUMNS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(name)
