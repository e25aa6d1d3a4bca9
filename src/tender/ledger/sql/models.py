"""SQLAlchemy 2 models: every table Tender's service keeps (the runtime's tables live in runtime_*.py).

Append-only tables: `ledger_entries`, `audit_records` and `need_commands`. No code path updates or deletes them, and the
initial migration installs triggers (PostgreSQL and SQLite) that refuse UPDATE and DELETE.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tender.ledger.sql.types import DecimalText, UtcDateTime

APPEND_ONLY_TABLES = ("ledger_entries", "audit_records", "need_commands")  # + actual_costs (migration 0005)
CHECKPOINT_TABLE = "audit_checkpoints"  # append-only too (revision 0007)


class Base(DeclarativeBase):
    pass


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # public id, e.g. tok_3f9a...
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    role: Mapped[str] = mapped_column(String(16))  # admin | planner | team | provider
    subject: Mapped[str | None] = mapped_column(String(128))  # team name or provider id
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ScenarioRow(Base):
    __tablename__ = "scenarios"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))  # the file name it was uploaded as
    scenario_id: Mapped[str] = mapped_column(String(200))  # the `scenario.id` inside the YAML
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_pk: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed
    error: Mapped[str | None] = mapped_column(Text)
    # The planner's own bytes (tender.plan_output), loaded only when asked for (the report is megabytes):
    result_json: Mapped[str | None] = mapped_column(Text, deferred=True)  # = `tender plan --json`
    report_html: Mapped[str | None] = mapped_column(Text, deferred=True)  # = `tender plan --report`
    ledger_csv: Mapped[str | None] = mapped_column(Text, deferred=True)  # = `tender plan --ledger`
    solve_seconds: Mapped[Decimal | None] = mapped_column(DecimalText)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class BackgroundJobColumns:
    """The columns every background job of the service shares (studies, comparisons): its state, its
    outputs verbatim in deferred columns (the CLI's `--json` and `--report` bytes), who asked and when."""

    status: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed
    error: Mapped[str | None] = mapped_column(Text)
    result_json: Mapped[str | None] = mapped_column(Text, deferred=True)  # = the CLI's `--json`
    report_html: Mapped[str | None] = mapped_column(Text, deferred=True)  # = the CLI's `--report`
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class StudyRow(BackgroundJobColumns, Base):
    """A `tender plan --robust` study run by the service (`POST /api/v1/studies`)."""

    __tablename__ = "studies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_pk: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    seed: Mapped[int] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(Integer)  # K, the extensive form's samples
    eval_samples: Mapped[int] = mapped_column(Integer)  # fresh samples of the study


class ComparisonRow(BackgroundJobColumns, Base):
    """A `tender compare` run by the service (`POST /api/v1/comparisons`, migration 0009)."""

    __tablename__ = "comparisons"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_pk: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))  # the base
    seed: Mapped[int] = mapped_column(Integer)
    # [{"name", "overlay"}], the base first (its overlay null): the variants as submitted
    variants_json: Mapped[str] = mapped_column(Text)


class NeedRow(Base):
    __tablename__ = "needs"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    scenario_pk: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    body_json: Mapped[str] = mapped_column(Text)  # the need as submitted (canonical JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


class NeedCommand(Base):
    """The protocol commands applied to one need, in order: replaying them rebuilds its ROFR state."""

    __tablename__ = "need_commands"
    need_id: Mapped[str] = mapped_column(ForeignKey("needs.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    body_json: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))


class NoticeRow(Base):
    __tablename__ = "notices"
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    need_id: Mapped[str] = mapped_column(ForeignKey("needs.id"))
    holder: Mapped[str] = mapped_column(String(128), index=True)
    clause_id: Mapped[str] = mapped_column(String(128))
    match_mode: Mapped[str] = mapped_column(String(32))
    on_expiry: Mapped[str] = mapped_column(String(32))
    partial_exercise: Mapped[bool]
    min_block_gpus: Mapped[int] = mapped_column(Integer)
    requested_gpus: Mapped[int] = mapped_column(Integer)
    exercised_gpus: Mapped[int] = mapped_column(Integer, default=0)
    released_gpus: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(32), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    terms_json: Mapped[str] = mapped_column(Text)  # what, where, when, the lab's price
    quote_json: Mapped[str] = mapped_column(Text)  # best third-party quote: price AND provider (lab-only)


class NoticeDecision(Base):
    """At most one decision per notice: the primary key is the guard that makes answers exactly-once."""

    __tablename__ = "notice_decisions"
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # exercise | decline | expire
    gpus: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(32))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    actor: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_sha: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LedgerEntry(Base):
    """One month x provider (x contract) row of a plan's ledger projection. Append-only."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_month_provider", "month", "provider"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)  # NULL: runtime use
    month: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(16))  # YYYY-MM
    provider: Mapped[str] = mapped_column(String(128))
    contract: Mapped[str | None] = mapped_column(String(128), index=True)
    billed_cost: Mapped[Decimal] = mapped_column(DecimalText)
    effective_cost: Mapped[Decimal] = mapped_column(DecimalText)
    row_json: Mapped[str] = mapped_column(Text)  # every column the planner emitted, exact
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class JobOwner(Base):
    """Who submitted a runtime job through the API (the runtime's `runtime_jobs` has no owner column)."""

    __tablename__ = "job_owners"
    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # runtime_jobs.id
    team: Mapped[str | None] = mapped_column(String(128), index=True)  # NAME of a team:NAME token
    submitted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditRecord(Base):
    """One record of the hash chain (format: tender.ledger.audit), stored verbatim. Append-only."""

    __tablename__ = "audit_records"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    record: Mapped[str] = mapped_column(Text)  # the canonical JSON text the hash was computed over


class ActualCost(Base):
    """One imported FOCUS cost row (`tender actuals import`), mapped to provider x region x accelerator.

    `row_key` = sha256 of the provider and the row's canonical content: importing a file again adds
    nothing. Append-only (migration 0005 installs the triggers)."""

    __tablename__ = "actual_costs"
    __table_args__ = (Index("ix_actual_costs_period_provider", "period", "provider"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(500))  # the file name it was imported from
    line: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(128))
    region: Mapped[str] = mapped_column(String(128))
    accelerator: Mapped[str] = mapped_column(String(64))  # "" for spend that holds no accelerator
    sku: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM of ChargePeriodStart (UTC)
    charge_period_start: Mapped[datetime] = mapped_column(UtcDateTime)
    charge_period_end: Mapped[datetime] = mapped_column(UtcDateTime)
    charge_category: Mapped[str] = mapped_column(String(32))
    spend_category: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(8))
    billed_cost: Mapped[Decimal] = mapped_column(DecimalText)
    effective_cost: Mapped[Decimal] = mapped_column(DecimalText)
    gpu_hours: Mapped[Decimal] = mapped_column(DecimalText)
    row_json: Mapped[str] = mapped_column(Text)  # the FOCUS columns read and every x_ column, verbatim
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditCheckpoint(Base):
    """A signed anchor of the audit chain's head (`tender.ledger.sql.anchor`): record `seq` had `hash`.

    Written with every write transaction that appended audit records; append-only. Deleting records from
    the chain's tail leaves checkpoints naming records that are gone, and a checkpoint cannot be forged
    without the server's key (HMAC-SHA256 over the checkpoint's canonical JSON)."""

    __tablename__ = "audit_checkpoints"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    mac: Mapped[str] = mapped_column(String(64))
