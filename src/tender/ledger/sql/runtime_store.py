"""Every SQL statement on the runtime's tables (`runtime_tables`), inside the caller's session.

The runtime (`tender.runtime.store.Store`, `queue`, `meter`) and the service (`tender.service.job_queue`)
read and write the runtime's tables only through these functions: nothing outside `tender.ledger.sql`
imports `runtime_tables` (an import-linter contract). States are the runtime's enums (`tender.runtime.store`
`JobState`, `AttemptState`); they are stored as their string values (`_plain`), so the rows hold the same
strings as before the enums.

1. Settings: `get_setting`, `put_setting`.
2. Jobs: `insert_job` (with `allocate_id`), `job_row`, `job_rows(states)`, `job_page` / `job_count` (the
   service's listing, newest first), `job_update`.
3. Attempts: `insert_attempt`, `attempt_row`, `attempt_state`, `attempts_in(states)`, `attempts_of(job)`,
   `previous_pool(job, number)`, `devices_held(pools, states)`, `attempt_update`.
4. Events: `latest_event_at(job)`, `insert_event`, `event_rows(job)`.
5. Usage: `insert_usage`, `usage_rows`, `gpu_hours_by(column)`, `gpu_hours_of(jobs)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.ledger.sql.runtime_tables import attempts, events, jobs, settings, usage


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    """Enum members as their stored values (a `StrEnum` is stored as its string)."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}


def _states(states: Iterable[str]) -> list[str]:
    return [s.value if isinstance(s, Enum) else s for s in states]


# ---- 1. settings -----------------------------------------------------------------------------
def get_setting(s: Session, key: str) -> str | None:
    return s.execute(select(settings.c.value).where(settings.c.key == key)).scalar_one_or_none()


def put_setting(s: Session, key: str, value: str) -> None:
    if s.execute(select(settings.c.key).where(settings.c.key == key)).first():
        s.execute(update(settings).where(settings.c.key == key).values(value=value))
    else:
        s.execute(insert(settings).values(key=key, value=value))


# ---- 2. jobs ---------------------------------------------------------------------------------
def allocate_id(s: Session, name: str) -> str:
    """`NAME-N`, N = the number of jobs + 1, raised past any id taken."""
    number = int(s.execute(select(func.count()).select_from(jobs)).scalar_one()) + 1
    while s.execute(select(jobs.c.id).where(jobs.c.id == f"{name}-{number}")).first():
        number += 1
    return f"{name}-{number}"


def insert_job(s: Session, **values: Any) -> None:
    s.execute(insert(jobs).values(**_plain(values)))


def job_row(s: Session, job_id: str) -> RowMapping | None:
    return s.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()


def job_rows(s: Session, states: Sequence[str] | None = None) -> list[RowMapping]:
    """In queue order; with `states`, only jobs in one of them."""
    query = select(jobs).order_by(jobs.c.seq)
    if states is not None:
        query = query.where(jobs.c.state.in_(_states(states)))
    return list(s.execute(query).mappings())


def job_page(s: Session, *, team: str | None, offset: int, limit: int) -> list[RowMapping]:
    """Newest first; with `team`, only that team's jobs."""
    query = select(jobs)
    if team is not None:
        query = query.where(jobs.c.team == team)
    return list(s.execute(query.order_by(jobs.c.seq.desc()).offset(offset).limit(limit)).mappings())


def job_count(s: Session, *, team: str | None = None) -> int:
    query = select(func.count()).select_from(jobs)
    if team is not None:
        query = query.where(jobs.c.team == team)
    return int(s.scalar(query) or 0)


def job_update(s: Session, job_id: str, **values: Any) -> None:
    s.execute(update(jobs).where(jobs.c.id == job_id).values(**_plain(values)))


# ---- 3. attempts -----------------------------------------------------------------------------
def insert_attempt(s: Session, **values: Any) -> None:
    s.execute(insert(attempts).values(**_plain(values)))


def attempt_row(s: Session, key: str) -> RowMapping | None:
    return s.execute(select(attempts).where(attempts.c.key == key)).mappings().first()


def attempt_state(s: Session, key: str) -> str | None:
    return s.execute(select(attempts.c.state).where(attempts.c.key == key)).scalar_one_or_none()


def attempts_in(s: Session, states: Iterable[str]) -> list[RowMapping]:
    query = select(attempts).where(attempts.c.state.in_(_states(states))).order_by(attempts.c.id)
    return list(s.execute(query).mappings())


def attempts_of(s: Session, job_id: str) -> list[RowMapping]:
    query = select(attempts).where(attempts.c.job_id == job_id).order_by(attempts.c.number)
    return list(s.execute(query).mappings())


def previous_pool(s: Session, job_id: str, number: int) -> str | None:
    """The pool of the job's attempt before `number` (None for a first attempt)."""
    return s.execute(
        select(attempts.c.pool_id).where(attempts.c.job_id == job_id, attempts.c.number == number - 1)
    ).scalar_one_or_none()


def devices_held(s: Session, pool_ids: Iterable[str], states: Iterable[str]) -> list[RowMapping]:
    """The `devices` of every attempt in `states` on one of `pool_ids`."""
    query = select(attempts.c.devices).where(
        attempts.c.pool_id.in_(sorted(pool_ids)), attempts.c.state.in_(_states(states))
    )
    return list(s.execute(query).mappings())


def attempt_update(s: Session, key: str, **values: Any) -> None:
    s.execute(update(attempts).where(attempts.c.key == key).values(**_plain(values)))


# ---- 4. events -------------------------------------------------------------------------------
def latest_event_at(s: Session, job_id: str) -> float | None:
    last = s.execute(select(func.max(events.c.at)).where(events.c.job_id == job_id)).scalar()
    return float(last) if last is not None else None


def insert_event(s: Session, at: float, job_id: str | None, kind: str, detail: str) -> None:
    s.execute(insert(events).values(at=at, job_id=job_id, kind=kind, detail=detail))


def event_rows(s: Session, job_id: str | None = None) -> list[RowMapping]:
    query = select(events).order_by(events.c.id)
    if job_id is not None:
        query = query.where(events.c.job_id == job_id)
    return list(s.execute(query).mappings())


# ---- 5. usage --------------------------------------------------------------------------------
def insert_usage(s: Session, **values: Any) -> None:
    s.execute(insert(usage).values(**_plain(values)))


def usage_rows(s: Session) -> list[RowMapping]:
    return list(s.execute(select(usage).order_by(usage.c.id)).mappings())


def gpu_hours_by(s: Session, column: str) -> dict[str, Decimal]:
    col = usage.c[column]
    rows = s.execute(select(col, func.sum(usage.c.gpu_hours)).group_by(col).order_by(col)).all()
    return {str(k): Decimal(str(v)) for k, v in rows}


def gpu_hours_of(s: Session, job_ids: Sequence[str]) -> dict[str, Decimal]:
    """Metered GPU-hours per job, for the jobs given (those with none are left out)."""
    if not job_ids:
        return {}
    rows = s.execute(
        select(usage.c.job_id, func.sum(usage.c.gpu_hours))
        .where(usage.c.job_id.in_(job_ids))
        .group_by(usage.c.job_id)
    ).all()
    return {str(k): Decimal(str(v)) for k, v in rows}
