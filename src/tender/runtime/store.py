"""The runtime's state in SQL (SQLite file by default): jobs, attempts, events, usage, settings.

The schema comes from the ledger/sql package's Alembic migrations (`upgrade`), so the runtime's file or
database also holds the server's tables, and a server database can host the runtime. Every change is one
short write transaction (`Database.write`: BEGIN IMMEDIATE on SQLite), so the CLI and a running agent can
share the file, and a killed agent leaves either the whole change or none of it. The SQL itself is
`tender.ledger.sql.runtime_store`'s; states are `JobState` / `AttemptState` (stored as their values).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.ledger.sql import audit_store
from tender.ledger.sql import runtime_store as sql
from tender.ledger.sql.engine import Database
from tender.ledger.sql.migrate import upgrade
from tender.ledger.sql.runtime_store import (
    attempt_row,
    attempt_state,
    attempt_update,
    insert_attempt,
    job_row,
    job_update,
    previous_pool,
)


class JobState(StrEnum):
    """A runtime job's state (`runtime_jobs.state`, stored as the value)."""

    QUEUED = "queued"
    RUNNING = "running"  # an attempt is open (submitting, active or fencing)
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # no pool may ever take it


class AttemptState(StrEnum):
    """One attempt's state (`runtime_attempts.state`, stored as the value)."""

    SUBMITTING = "submitting"  # recorded, not yet known to the engine (repaired by tick step 2a)
    ACTIVE = "active"  # the engine has it
    FENCING = "fencing"  # lease revoked, not yet known dead: still holds its GPUs
    REFUSED = "refused"  # never ran: the engine refused it, or it never reached the engine
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    LOST = "lost"


ACTIVE_JOB_STATES = (JobState.QUEUED, JobState.RUNNING)
FINAL_JOB_STATES = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.REJECTED)
OPEN_ATTEMPT_STATES = (AttemptState.SUBMITTING, AttemptState.ACTIVE, AttemptState.FENCING)
RUNTIME_ACTOR = "runtime"  # the audit actor of what the agent does on its own
# Moves of a job that also go into the hash-chained audit trail (`job.<kind>`); `started` stays an event.
AUDITED_EVENTS = frozenset(
    {
        "submitted",
        "placed",
        "failed_over",
        "adopted",
        "requeued",
        "gave_up",
        "finished",
        "rejected",
        "cancel_requested",
        "cancelled",
    }
)


class Store:
    """The runtime's database: reads in their own transaction, writes through `write()`; the SQL is
    `tender.ledger.sql.runtime_store`'s."""

    def __init__(self, url: str) -> None:
        self.db = Database(url)
        upgrade(self.db)  # the package's Alembic migrations (0003: the runtime tables)

    def close(self) -> None:
        self.db.dispose()

    # ---- settings -----------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        with self.db.read() as s:
            return sql.get_setting(s, key)

    def put_setting(self, key: str, value: str) -> None:
        with self.db.write() as s:
            sql.put_setting(s, key, value)

    # ---- reads ----------------------------------------------------------------------------
    def jobs(self, states: Sequence[JobState] | None = None) -> list[RowMapping]:
        with self.db.read() as s:
            return sql.job_rows(s, states)

    def job(self, job_id: str) -> RowMapping | None:
        with self.db.read() as s:
            return sql.job_row(s, job_id)

    def open_attempts(self) -> list[RowMapping]:
        with self.db.read() as s:
            return sql.attempts_in(s, OPEN_ATTEMPT_STATES)

    def attempts_of(self, job_id: str) -> list[RowMapping]:
        with self.db.read() as s:
            return sql.attempts_of(s, job_id)

    def events_of(self, job_id: str | None = None) -> list[RowMapping]:
        with self.db.read() as s:
            return sql.event_rows(s, job_id)

    def usage_rows(self) -> list[RowMapping]:
        with self.db.read() as s:
            return sql.usage_rows(s)

    def gpu_hours_by(self, column: str) -> dict[str, Decimal]:
        with self.db.read() as s:
            return sql.gpu_hours_by(s, column)

    @staticmethod
    def previous_pool(s: Session, job_id: str, number: int) -> str | None:
        """The pool of the job's attempt before `number` (None for a first attempt)."""
        return previous_pool(s, job_id, number)

    @staticmethod
    def devices_held(s: Session, pool_ids: frozenset[str]) -> list[RowMapping]:
        """The devices of the open attempts on `pool_ids` (`engines.devices_in_use` reads them)."""
        return sql.devices_held(s, pool_ids, OPEN_ATTEMPT_STATES)

    # ---- writes ---------------------------------------------------------------------------
    def write(self) -> Any:
        return self.db.write()

    @staticmethod
    def event(
        s: Session,
        at: float,
        job_id: str | None,
        kind: str,
        detail: str,
        *,
        actor: str = RUNTIME_ACTOR,
        data: Mapping[str, Any] | None = None,
        history: bool = True,
        audit: bool = True,
    ) -> None:
        """One row of the job's history (`history`) and, for a move (`AUDITED_EVENTS`), one audit record
        `job.<kind>` (`tender.ledger.audit` format, `audit_store.append`) in the same transaction.

        Times never go backwards within a job: `at` is raised to the job's latest event (a tick that read
        the clock before a submission it then places, another process's clock); the audit chain is
        monotonic on its own (`audit_store.append`)."""
        if job_id is not None:
            last = sql.latest_event_at(s, job_id)
            at = max(at, last) if last is not None else at
        if history:
            sql.insert_event(s, at, job_id, kind, detail)
        if audit and kind in AUDITED_EVENTS:
            body = {"job": job_id, "detail": detail, **(data or {})}
            audit_store.append(
                s, kind=f"job.{kind}", actor=actor, at=datetime.fromtimestamp(at, UTC), data=body
            )


__all__ = [
    "ACTIVE_JOB_STATES",
    "AUDITED_EVENTS",
    "FINAL_JOB_STATES",
    "OPEN_ATTEMPT_STATES",
    "RUNTIME_ACTOR",
    "AttemptState",
    "JobState",
    "Store",
    "attempt_row",
    "attempt_state",
    "attempt_update",
    "insert_attempt",
    "job_row",
    "job_update",
]
