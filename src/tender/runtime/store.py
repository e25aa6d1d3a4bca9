"""The runtime's state in SQL (SQLite file by default): jobs, attempts, events, usage, settings.

The schema comes from the ledger/sql package's Alembic migrations (`upgrade`), so the runtime's file or
database also holds the server's tables, and a server database can host the runtime. Every change is one short write transaction (`Database.write`: BEGIN IMMEDIATE on SQLite), so the CLI and
a running agent can share the file, and a killed agent leaves either the whole change or none of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.ledger.sql import audit_store
from tender.ledger.sql.engine import Database
from tender.ledger.sql.migrate import upgrade
from tender.ledger.sql.runtime_tables import attempts, events, jobs, settings, usage

ACTIVE_JOB_STATES = ("queued", "running")
FINAL_JOB_STATES = ("succeeded", "failed", "cancelled", "rejected")
OPEN_ATTEMPT_STATES = ("submitting", "active", "fencing")  # fencing: revoked, not yet known dead
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
    def __init__(self, url: str) -> None:
        self.db = Database(url)
        upgrade(self.db)  # the package's Alembic migrations (0003: the runtime tables)

    def close(self) -> None:
        self.db.dispose()

    # ---- settings -----------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        with self.db.read() as s:
            return s.execute(select(settings.c.value).where(settings.c.key == key)).scalar_one_or_none()

    def put_setting(self, key: str, value: str) -> None:
        with self.db.write() as s:
            if s.execute(select(settings.c.key).where(settings.c.key == key)).first():
                s.execute(update(settings).where(settings.c.key == key).values(value=value))
            else:
                s.execute(insert(settings).values(key=key, value=value))

    # ---- reads ----------------------------------------------------------------------------
    def jobs(self, states: Sequence[str] | None = None) -> list[RowMapping]:
        query = select(jobs).order_by(jobs.c.seq)
        if states is not None:
            query = query.where(jobs.c.state.in_(states))
        with self.db.read() as s:
            return list(s.execute(query).mappings())

    def job(self, job_id: str) -> RowMapping | None:
        with self.db.read() as s:
            return s.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()

    def open_attempts(self) -> list[RowMapping]:
        with self.db.read() as s:
            query = select(attempts).where(attempts.c.state.in_(OPEN_ATTEMPT_STATES)).order_by(attempts.c.id)
            return list(s.execute(query).mappings())

    def attempts_of(self, job_id: str) -> list[RowMapping]:
        with self.db.read() as s:
            query = select(attempts).where(attempts.c.job_id == job_id).order_by(attempts.c.number)
            return list(s.execute(query).mappings())

    def events_of(self, job_id: str | None = None) -> list[RowMapping]:
        query = select(events).order_by(events.c.id)
        if job_id is not None:
            query = query.where(events.c.job_id == job_id)
        with self.db.read() as s:
            return list(s.execute(query).mappings())

    def usage_rows(self) -> list[RowMapping]:
        with self.db.read() as s:
            return list(s.execute(select(usage).order_by(usage.c.id)).mappings())

    def gpu_hours_by(self, column: str) -> dict[str, Decimal]:
        col = usage.c[column]
        with self.db.read() as s:
            rows = s.execute(select(col, func.sum(usage.c.gpu_hours)).group_by(col).order_by(col)).all()
        return {str(k): Decimal(str(v)) for k, v in rows}

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
            last = s.execute(select(func.max(events.c.at)).where(events.c.job_id == job_id)).scalar()
            at = max(at, float(last)) if last is not None else at
        if history:
            s.execute(insert(events).values(at=at, job_id=job_id, kind=kind, detail=detail))
        if audit and kind in AUDITED_EVENTS:
            body = {"job": job_id, "detail": detail, **(data or {})}
            audit_store.append(
                s, kind=f"job.{kind}", actor=actor, at=datetime.fromtimestamp(at, UTC), data=body
            )


def job_update(s: Session, job_id: str, **values: Any) -> None:
    s.execute(update(jobs).where(jobs.c.id == job_id).values(**values))


def attempt_update(s: Session, key: str, **values: Any) -> None:
    s.execute(update(attempts).where(attempts.c.key == key).values(**values))


def attempt_state(s: Session, key: str) -> str | None:
    return s.execute(select(attempts.c.state).where(attempts.c.key == key)).scalar_one_or_none()


def job_row(s: Session, job_id: str) -> RowMapping | None:
    return s.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()


def insert_attempt(s: Session, **values: Any) -> None:
    s.execute(insert(attempts).values(**values))


def attempt_row(s: Session, key: str) -> RowMapping | None:
    return s.execute(select(attempts).where(attempts.c.key == key)).mappings().first()
