"""A thin adapter onto the live runtime's job store (`tender.runtime`), in the service's own transactions.

The server never runs jobs: it queues them in the runtime's tables (`tender.ledger.sql.runtime_tables`, in
the server's database) and `tender agent` — started with `TENDER_RUNTIME_DATABASE_URL` set to the same URL —
places, runs, meters and finishes them.

1. `parse_spec(body)`: the JSON body is a Tender job spec or a SkyPilot task; it goes through the runtime's
   own parser (`tender.runtime.spec.parse_job_text`, JSON is YAML) and, once the agent has stored its pools,
   `check_against` them. Problems come back as `InputError` (field paths), answered 422.
2. `submit(session, spec, ...)`: one write transaction inserts the job row exactly as `Runtime.submit` does
   plus its `submitted` event (`tender.runtime.store.Store.event`), the owner (`job_owners`: the
   runtime's table has no owner column) and an audit record. The id `NAME-N` is chosen inside that
   transaction (writers are serialized), skipping ids already taken.
3. `request_cancel(session, job_id, now)`: a queued job is cancelled at once, a running one is flagged for
   the agent, which stops it on its engine (the same rules as `Runtime.request_cancel`).
4. `jobs(session, team=None)` / `job(session, id)`: rows joined with their owner and metered GPU-hours.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.config import InputError
from tender.config.yamlpos import Problem
from tender.ledger.sql import audit_store
from tender.ledger.sql.models import JobOwner
from tender.ledger.sql.runtime_tables import jobs as jobs_table
from tender.ledger.sql.runtime_tables import settings as settings_table
from tender.ledger.sql.runtime_tables import usage as usage_table
from tender.runtime.pools import RuntimeConfig, from_json
from tender.runtime.spec import JobSpec, check_against, parse_job_text
from tender.runtime.store import ACTIVE_JOB_STATES, Store, job_row, job_update

SOURCE = "job"  # the "file" named in a spec's problems


@dataclass(frozen=True)
class Job:
    row: RowMapping
    team: str | None
    submitted_by: str | None
    gpu_hours: Decimal


def runtime_config(session: Session) -> RuntimeConfig | None:
    """The pools the agent stored (`tender agent --pools/--scenario`), or None before it ever ran."""
    text = session.scalar(select(settings_table.c.value).where(settings_table.c.key == "config"))
    return from_json(text) if text else None


def parse_spec(body: dict[str, Any], config: RuntimeConfig | None) -> JobSpec:
    """Raises `InputError` naming the field (e.g. `gpus`, `resources.accelerators`)."""
    try:
        spec = parse_job_text(json.dumps(body, ensure_ascii=False, indent=1), SOURCE)
    except (ArithmeticError, RecursionError, TypeError, ValueError) as exc:
        # The runtime's parser lets a few slip (e.g. "H100:1e999" -> OverflowError): still the caller's input.
        raise InputError([Problem(SOURCE, 1, 1, "", f"invalid job spec: {exc}")]) from None
    if config is not None:
        check_against(spec, config, SOURCE)
    return spec


def _free_id(session: Session, name: str) -> str:
    number = int(session.execute(select(func.count()).select_from(jobs_table)).scalar_one()) + 1
    while session.execute(select(jobs_table.c.id).where(jobs_table.c.id == f"{name}-{number}")).first():
        number += 1
    return f"{name}-{number}"


def submit(session: Session, spec: JobSpec, *, team: str | None, actor: str, now: datetime) -> str:
    """Queue the job for the agent (call inside `Database.write()`); returns its id."""
    at = now.timestamp()
    job_id = _free_id(session, spec.name)
    session.execute(
        insert(jobs_table).values(
            id=job_id,
            name=spec.name,
            command=spec.command,
            gpus=spec.gpus,
            gpu_types=",".join(spec.accelerators),
            workload_class=spec.workload_class,
            workload=spec.workload,
            max_retries=spec.max_retries,
            env=json.dumps(spec.env, sort_keys=True),
            state="queued",
            reason="not scheduled yet",
            retries=0,
            attempts=0,
            cancel_requested=False,
            submitted_at=at,
            updated_at=at,
        )
    )
    Store.event(session, at, job_id, "submitted", f"{spec.gpus} GPUs, class {spec.workload_class}")
    session.add(JobOwner(job_id=job_id, team=team, submitted_by=actor, created_at=now))
    session.flush()
    audit_store.append(
        session,
        kind="job.submitted",
        actor=actor,
        at=now,
        data={"job": job_id, "gpus": spec.gpus, "class": spec.workload_class, "team": team},
    )
    return job_id


def request_cancel(session: Session, job_id: str, *, actor: str, now: datetime) -> bool:
    """False when the job already reached a final state."""
    at = now.timestamp()
    row = job_row(session, job_id)
    if row is None or row["state"] not in ACTIVE_JOB_STATES:
        return False
    if row["state"] == "queued":
        job_update(session, job_id, state="cancelled", reason="cancelled before it ran", updated_at=at)
        Store.event(session, at, job_id, "cancelled", "cancelled while queued")
    else:
        job_update(session, job_id, cancel_requested=True, updated_at=at)
        Store.event(session, at, job_id, "cancel_requested", "")
    audit_store.append(
        session, kind="job.cancel_requested", actor=actor, at=now, data={"job": job_id, "was": row["state"]}
    )
    return True


def _hours(session: Session, ids: list[str]) -> dict[str, Decimal]:
    if not ids:
        return {}
    rows = session.execute(
        select(usage_table.c.job_id, func.sum(usage_table.c.gpu_hours))
        .where(usage_table.c.job_id.in_(ids))
        .group_by(usage_table.c.job_id)
    ).all()
    return {str(k): Decimal(str(v)) for k, v in rows}


def jobs(session: Session, *, team: str | None = None, limit: int = 500) -> list[Job]:
    """Newest first; with `team`, only the jobs that team submitted through the API."""
    query = select(jobs_table, JobOwner.team, JobOwner.submitted_by).outerjoin(
        JobOwner, JobOwner.job_id == jobs_table.c.id
    )
    if team is not None:
        query = query.where(JobOwner.team == team)
    rows = list(session.execute(query.order_by(jobs_table.c.seq.desc()).limit(limit)).mappings())
    hours = _hours(session, [r["id"] for r in rows])
    return [Job(r, r["team"], r["submitted_by"], hours.get(r["id"], Decimal(0))) for r in rows]


def job(session: Session, job_id: str) -> Job | None:
    query = (
        select(jobs_table, JobOwner.team, JobOwner.submitted_by)
        .outerjoin(JobOwner, JobOwner.job_id == jobs_table.c.id)
        .where(jobs_table.c.id == job_id)
    )
    row = session.execute(query).mappings().first()
    if row is None:
        return None
    return Job(row, row["team"], row["submitted_by"], _hours(session, [job_id]).get(job_id, Decimal(0)))


__all__ = ["InputError", "Job", "job", "jobs", "parse_spec", "request_cancel", "runtime_config", "submit"]
