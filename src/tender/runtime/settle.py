"""How an attempt ends (tick steps 2 and 5): finished, lost, or refused — metered once, the job moved on.

1. `finish(parts, attempt, status, now, report)`: a final state the engine (or the fence wrapper's record)
   gave: the attempt takes it, is metered (`meter`), and the job ends with it — except an attempt
   cancelled outside Tender, whose job fails.
2. `settle_lost(parts, attempt, now, reason, report)`: the attempt is dead or fenced: `lost`, billed from
   the best times there are (the wrapper's, the engine's, Tender's own), and the job requeued.
3. `requeue(s, job_id, now, reason)`: one more infrastructure failure: cancelled if a cancel was asked
   for, `failed` ("gave up") past `max_retries`, else queued again.
A step that finds the attempt already closed (another process settled it) does nothing.
"""

from __future__ import annotations

from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.ports import RunState, RunStatus
from tender.runtime.meter import Wrapped, measure
from tender.runtime.meter import record as meter_record
from tender.runtime.parts import Parts, TickReport
from tender.runtime.store import (
    OPEN_ATTEMPT_STATES,
    AttemptState,
    JobState,
    Store,
    attempt_row,
    attempt_state,
    attempt_update,
    job_row,
    job_update,
)


def finish(
    parts: Parts,
    attempt: RowMapping,
    status: RunStatus,
    now: float,
    report: TickReport,
    wrapped: Wrapped | None = None,
) -> None:
    """Step 1."""
    outcome = AttemptState(status.state.value)
    with parts.store.write() as s:
        if attempt_state(s, attempt["key"]) not in OPEN_ATTEMPT_STATES:
            return
        attempt_update(
            s,
            attempt["key"],
            state=outcome,
            reason=status.reason,
            exit_code=status.exit_code,
            started_at=status.started_at.timestamp() if status.started_at else None,
            ended_at=status.ended_at.timestamp() if status.ended_at else None,
        )
        meter(parts, s, attempt, status, outcome, status.reason, now, wrapped)
        job = job_row(s, attempt["job_id"])
        if status.state is RunState.CANCELLED and job is not None and not job["cancel_requested"]:
            reason = "cancelled outside Tender"
            job_state = JobState.FAILED
        else:
            job_state = JobState(outcome.value)
            reason = f"exit {status.exit_code}" if status.exit_code is not None else outcome.value
        job_update(s, attempt["job_id"], state=job_state, reason=reason, updated_at=now)
        Store.event(
            s,
            now,
            attempt["job_id"],
            "finished",
            f"{attempt['key']} {outcome.value} on {attempt['pool_id']} ({reason})",
            data={
                "pool": attempt["pool_id"],
                "key": attempt["key"],
                "state": job_state.value,
                "reason": reason,
            },
        )
    report.finished.append(attempt["job_id"])


def settle_lost(
    parts: Parts,
    attempt: RowMapping,
    now: float,
    reason: str,
    report: TickReport,
    status: RunStatus | None = None,
    wrapped: Wrapped | None = None,
) -> None:
    """Step 2: the attempt is dead (or fenced): record it lost, bill it, requeue the job."""
    with parts.store.write() as s:
        fresh = attempt_row(s, attempt["key"])
        if fresh is None or fresh["state"] not in OPEN_ATTEMPT_STATES:
            return
        started = status.started_at.timestamp() if status and status.started_at else fresh["started_at"]
        if wrapped is not None and wrapped.started is not None:
            started = wrapped.started
        ended = status.ended_at.timestamp() if status and status.ended_at else (now if started else None)
        if wrapped is not None and (wrapped.ended or wrapped.last_beat):
            ended = wrapped.ended or wrapped.last_beat
        attempt_update(
            s, attempt["key"], state=AttemptState.LOST, reason=reason, started_at=started, ended_at=ended
        )
        meter(parts, s, fresh, status, AttemptState.LOST, reason, now, wrapped)
        requeue(s, attempt["job_id"], now, f"{attempt['pool_id']}: {reason}")
    report.requeued.append(attempt["job_id"])


def meter(
    parts: Parts,
    s: Session,
    attempt: RowMapping,
    status: RunStatus | None,
    outcome: AttemptState,
    reason: str,
    now: float,
    wrapped: Wrapped | None = None,
) -> None:
    """Meter the attempt once (`tender.runtime.meter`); nothing when it never ran."""
    measured = measure(status, attempt["gpus"], attempt["started_at"], now, wrapped)
    if measured is not None:
        pool_id = attempt["pool_id"]
        meter_record(
            s,
            attempt_key=attempt["key"],
            job_id=attempt["job_id"],
            pool_id=pool_id,
            pool=parts.config.pool(pool_id),
            measured=measured,
            outcome=outcome.value,
            reason=reason,
            now=now,
        )


def requeue(s: Session, job_id: str, now: float, reason: str) -> None:
    """Step 3."""
    job = job_row(s, job_id)
    if job is None:
        return
    retries = job["retries"] + 1
    if job["cancel_requested"]:
        job_update(s, job_id, state=JobState.CANCELLED, reason="cancelled", retries=retries, updated_at=now)
        Store.event(s, now, job_id, "cancelled", reason, data={"reason": reason})
    elif retries > job["max_retries"]:
        job_update(
            s,
            job_id,
            state=JobState.FAILED,
            reason=f"gave up after {retries} infrastructure failures; last: {reason}",
            retries=retries,
            updated_at=now,
        )
        Store.event(s, now, job_id, "gave_up", reason, data={"reason": reason, "retries": retries})
    else:
        job_update(
            s,
            job_id,
            state=JobState.QUEUED,
            pool_id=None,
            reason=f"requeued: {reason}",
            retries=retries,
            updated_at=now,
        )
        Store.event(
            s,
            now,
            job_id,
            "requeued",
            f"retry {retries}/{job['max_retries']}: {reason}",
            data={
                "reason": reason,
                "retry": retries,
                "max_retries": job["max_retries"],
                "from": job["pool_id"],
            },
        )
