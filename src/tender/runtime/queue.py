"""Queue a job without any backend: the one submit path of `tender run`, `Runtime.submit` and the API.

1. Call inside a write transaction (`Database.write()` / `Store.write()`): writers are serialized there
   (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL).
2. `allocate_id(session, name)`: `NAME-N`, N = jobs so far + 1, skipping ids already taken; read in that
   same transaction, so concurrent submitters never get the same id (the unique index on
   `runtime_jobs.id` is the backstop).
3. `submit(session, spec, now=, team=, submitted_by=)` inserts the queued row with its owner, and the
   `submitted` event with its audit record (`Store.event`). Returns the id.
4. `request_cancel(session, job_id, now=, actor=)`: a queued job ends at once, a running one is flagged
   for the agent; the move is an event and an audit record.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from tender.ledger.sql.runtime_store import allocate_id, insert_job
from tender.runtime.spec import JobSpec
from tender.runtime.store import ACTIVE_JOB_STATES, JobState, Store, job_row, job_update


def submit(
    session: Session, spec: JobSpec, *, now: datetime, submitted_by: str, team: str | None = None
) -> str:
    at = now.timestamp()
    job_id = allocate_id(session, spec.name)
    insert_job(
        session,
        id=job_id,
        name=spec.name,
        command=spec.command,
        gpus=spec.gpus,
        gpu_types=",".join(spec.accelerators),
        workload_class=spec.workload_class,
        workload=spec.workload,
        max_retries=spec.max_retries,
        env=json.dumps(spec.env, sort_keys=True),
        state=JobState.QUEUED,
        reason="not scheduled yet",
        retries=0,
        attempts=0,
        cancel_requested=False,
        submitted_at=at,
        updated_at=at,
        team=team,
        submitted_by=submitted_by,
    )
    Store.event(
        session,
        at,
        job_id,
        "submitted",
        f"{spec.gpus} GPUs, class {spec.workload_class}",
        actor=submitted_by,
        data={"gpus": spec.gpus, "class": spec.workload_class, "team": team},
    )
    return job_id


def request_cancel(session: Session, job_id: str, *, now: datetime, actor: str) -> bool:
    """A queued job is cancelled at once, a running one flagged for the agent (which stops it on its
    engine). False when there is no such job or it already ended."""
    at = now.timestamp()
    row = job_row(session, job_id)
    if row is None or row["state"] not in ACTIVE_JOB_STATES:
        return False
    if row["state"] == JobState.QUEUED:
        job_update(session, job_id, state=JobState.CANCELLED, reason="cancelled before it ran", updated_at=at)
        Store.event(session, at, job_id, "cancelled", "cancelled while queued", actor=actor)
    else:
        job_update(session, job_id, cancel_requested=True, updated_at=at)
        Store.event(session, at, job_id, "cancel_requested", "", actor=actor, data={"was": row["state"]})
    return True
