"""Service tables: tokens, scenarios, plans, needs, need commands, notices, decisions, idempotency, ledger, audit.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tender.ledger.sql.models import APPEND_ONLY_TABLES
from tender.ledger.sql.types import DecimalText, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Long because: a revision is one table list, written once and never edited (splitting it would
    let a later edit change what a past revision creates)."""
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(128)),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("revoked_at", UtcDateTime),
    )
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scenario_pk", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("result_json", sa.Text),
        sa.Column("report_html", sa.Text),
        sa.Column("solve_seconds", DecimalText),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "needs",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("scenario_pk", sa.Integer, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("body_json", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
    )
    op.create_table(
        "need_commands",
        sa.Column("need_id", sa.String(128), sa.ForeignKey("needs.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("body_json", sa.Text, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
    )
    op.create_table(
        "notices",
        sa.Column("id", sa.String(160), primary_key=True),
        sa.Column("need_id", sa.String(128), sa.ForeignKey("needs.id"), nullable=False),
        sa.Column("holder", sa.String(128), nullable=False, index=True),
        sa.Column("clause_id", sa.String(128), nullable=False),
        sa.Column("match_mode", sa.String(32), nullable=False),
        sa.Column("on_expiry", sa.String(32), nullable=False),
        sa.Column("partial_exercise", sa.Boolean, nullable=False),
        sa.Column("min_block_gpus", sa.Integer, nullable=False),
        sa.Column("requested_gpus", sa.Integer, nullable=False),
        sa.Column("exercised_gpus", sa.Integer, nullable=False),
        sa.Column("released_gpus", sa.Integer, nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("issued_at", UtcDateTime, nullable=False),
        sa.Column("deadline", UtcDateTime, nullable=False, index=True),
        sa.Column("decided_at", UtcDateTime),
        sa.Column("terms_json", sa.Text, nullable=False),
        sa.Column("quote_json", sa.Text, nullable=False),
    )
    op.create_table(
        "notice_decisions",
        sa.Column("notice_id", sa.String(160), sa.ForeignKey("notices.id"), primary_key=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("gpus", sa.Integer, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("decided_at", UtcDateTime, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("actor", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_sha", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("body_json", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False, index=True),
        sa.Column("month", sa.Integer, nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(128), nullable=False),
        sa.Column("contract", sa.String(128), index=True),
        sa.Column("billed_cost", DecimalText, nullable=False),
        sa.Column("effective_cost", DecimalText, nullable=False),
        sa.Column("row_json", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_ledger_month_provider", "ledger_entries", ["month", "provider"])
    op.create_table(
        "audit_records",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(64), nullable=False, index=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
    )
    _append_only_triggers()


def _append_only_triggers() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION tender_append_only() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql"
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION tender_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tender_append_only()"
            )
    elif bind.dialect.name == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade() -> None:
    for table in (
        "audit_records",
        "ledger_entries",
        "idempotency_keys",
        "notice_decisions",
        "notices",
        "need_commands",
        "needs",
        "plans",
        "scenarios",
        "api_tokens",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tender_append_only()")
