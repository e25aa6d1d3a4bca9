"""Tables of the live runtime (`tender.runtime`): jobs, attempts, moves, GPU-hour meter, settings.

Own `MetaData`; the tables are made by the package's Alembic migrations (0003; 0004: `runtime_jobs.team`
and `submitted_by`, who queued the job; 0006: `runtime_attempts.devices`, `runtime_jobs.reason_code` and
`reason_clause`).
`runtime_usage.attempt_key` is unique: an attempt is metered exactly once, even across restarts.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

runtime_metadata = MetaData()

jobs = Table(
    "runtime_jobs",
    runtime_metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # queue order
    Column("id", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("command", Text, nullable=False),
    Column("gpus", Integer, nullable=False),
    Column("gpu_types", Text, nullable=False, default=""),  # comma-separated, empty = any
    Column("workload_class", String(64), nullable=False),
    Column("workload", String(200), nullable=False, default=""),
    Column("max_retries", Integer, nullable=False),
    Column("env", Text, nullable=False, default="{}"),  # JSON object
    Column(
        "state", String(16), nullable=False
    ),  # queued | running | succeeded | failed | cancelled | rejected
    Column("reason", Text, nullable=False, default=""),  # why it waits, or how it ended
    Column("retries", Integer, nullable=False, default=0),  # infrastructure failures so far
    Column("attempts", Integer, nullable=False, default=0),
    Column("pool_id", String(200), nullable=True),  # the pool of the active or last attempt
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("submitted_at", Float, nullable=False),  # epoch seconds
    Column("updated_at", Float, nullable=False),
    Column("team", String(128), nullable=True, index=True),  # NAME of the team:NAME token; NULL from the CLI
    Column("submitted_by", String(64), nullable=True),  # the audit actor who queued it
    Column(
        "reason_code", String(64), nullable=True
    ),  # the code of `reason` (capacity, engine_unreachable, ...)
    Column("reason_clause", String(200), nullable=True),  # the contract clause id behind `reason`, if any
)

attempts = Table(
    "runtime_attempts",
    runtime_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False, unique=True),  # tender-<job>-<n>: the engine's job name
    Column("job_id", String(64), nullable=False, index=True),
    Column("number", Integer, nullable=False),
    Column("pool_id", String(200), nullable=False),
    Column("handle", String(200), nullable=True),  # the engine's id; NULL while submitting
    Column(
        "state", String(16), nullable=False
    ),  # submitting | active | succeeded | failed | cancelled | lost | refused
    Column("reason", Text, nullable=False, default=""),
    Column("gpus", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("started_at", Float, nullable=True),  # engine's accounting
    Column("ended_at", Float, nullable=True),
    Column("exit_code", Integer, nullable=True),
    Column(
        "devices", String(200), nullable=True
    ),  # "0,1": devices Tender assigned (local); NULL: the engine's
)

events = Table(
    "runtime_events",
    runtime_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("job_id", String(64), nullable=True, index=True),
    Column("kind", String(32), nullable=False),  # submitted | placed | started | requeued | finished | ...
    Column("detail", Text, nullable=False, default=""),
)

usage = Table(
    "runtime_usage",
    runtime_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempt_key", String(200), nullable=False),
    Column("job_id", String(64), nullable=False, index=True),
    Column("pool_id", String(200), nullable=False),
    Column("provider", String(200), nullable=False),
    Column("gpus", Integer, nullable=False),
    Column("seconds", Numeric(18, 3), nullable=False),
    Column("gpu_hours", Numeric(18, 6), nullable=False),
    Column("outcome", String(16), nullable=False),
    UniqueConstraint("attempt_key", name="uq_runtime_usage_attempt"),
)

settings = Table(
    "runtime_settings",
    runtime_metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
