"""Fenced failover (tick step 2): a job's next attempt starts only once the previous one is known dead (its
wrapper's record) or fenced (its lease revoked and lapsed). Plain functions of the tick's `Parts`.

1. `settled_by_wrapper`: an attempt whose fence wrapper wrote its record (the command's whole tree is
   dead) is settled from that record, whatever the engine says or whether it answers: ended by itself
   -> succeeded / failed by its exit code; killed -> cancelled (asked for) or lost (requeued). Billed
   from the wrapper's timestamps. A wrapper whose renewals stopped for longer than the lease is fenced.
2. `begin_fence` (an attempt the engine lost, or forgot, or an engine silent for `lost_after`): revoke
   the lease (`tender.fence.lease.revoke`), ask the engine to cancel (best effort), and mark the attempt
   `fencing`. It still holds its GPUs (an open attempt) and the job stays `running`, so the scheduler
   cannot place it again.
3. `fence_step`, every tick: the wrapper's record settles it (normally within one renewal interval plus
   the kill grace); else at `LeaseSettings.fence_deadline(revoked_at)` the wrapper has killed its tree
   by itself (lease lapsed, or it saw the revocation): lost, billed up to its last lease renewal.
Attempts on engines without a wrapper (the fake backend) settle at once, as before.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from sqlalchemy.engine import RowMapping

from tender.fence.lease import MARGIN_SECONDS, last_beat, read_record, revoke, revoked_at
from tender.fence.lease import started_at as lease_started_at
from tender.ports import EngineUnreachable, RunState, RunStatus
from tender.runtime.meter import Wrapped
from tender.runtime.parts import Parts, TickReport
from tender.runtime.settle import finish, settle_lost
from tender.runtime.store import AttemptState, Store, attempt_row, attempt_update, job_update


def _stamp(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


# ---- what the wrapper says ------------------------------------------------------------------
def wrapped(parts: Parts, attempt: RowMapping) -> Wrapped | None:
    """What the attempt's fence wrapper wrote so far; None on an engine without a wrapper."""
    lease = parts.lease_of(attempt["pool_id"])
    if lease is None:
        return None
    directory = lease.dir(attempt["key"])
    record = read_record(directory)
    if record is not None:
        return Wrapped(record.started, record.ended, last_beat(directory))
    return Wrapped(lease_started_at(directory), None, last_beat(directory))


def settled_by_wrapper(parts: Parts, attempt: RowMapping, now: float, report: TickReport) -> bool:
    """Step 1; True when the attempt needs nothing more this tick."""
    lease = parts.lease_of(attempt["pool_id"])
    if lease is None:
        return False
    directory = lease.dir(attempt["key"])
    record = read_record(directory)
    if record is None:
        beat = last_beat(directory)
        silent_for = now - beat if beat is not None else 0.0
        if (
            attempt["state"] == AttemptState.ACTIVE
            and lease_started_at(directory) is not None
            and silent_for > sum(lease.timings(directory)[:2]) + MARGIN_SECONDS
        ):
            begin_fence(parts, attempt, now, f"no lease renewal for {silent_for:.0f} s")
            return True
        return False
    record_wrapped = Wrapped(record.started, record.ended, last_beat(directory))
    status = RunStatus(
        attempt["handle"] or attempt["key"],
        RunState.SUCCEEDED if record.rc == 0 else RunState.FAILED,
        exit_code=record.rc,
        started_at=_stamp(record.started),
        ended_at=_stamp(record.ended),
    )
    job = parts.store.job(attempt["job_id"])
    if record.exited:
        finish(parts, attempt, status, now, report, record_wrapped)
    elif job is not None and job["cancel_requested"]:
        finish(parts, attempt, _as(status, RunState.CANCELLED), now, report, record_wrapped)
    elif record.started is None:
        settle_lost(parts, attempt, now, "the wrapper found its lease revoked and ran nothing", report)
    else:
        fencing = attempt["state"] == AttemptState.FENCING
        reason = attempt["reason"] if fencing else f"killed: {record.cause}"
        settle_lost(
            parts, attempt, now, reason or record.cause, report, _as(status, RunState.LOST), record_wrapped
        )
    return True


# ---- fencing ------------------------------------------------------------------------------------
def begin_fence(parts: Parts, attempt: RowMapping, now: float, reason: str) -> None:
    """Step 2."""
    lease = parts.lease_of(attempt["pool_id"])
    assert lease is not None
    revoked = revoke(lease.dir(attempt["key"]), now)
    if attempt["handle"]:
        with contextlib.suppress(EngineUnreachable, KeyError):
            parts.backends[attempt["pool_id"]].cancel(attempt["handle"])
    deadline = datetime.fromtimestamp(lease.fence_deadline(revoked, lease.dir(attempt["key"])), UTC).strftime(
        "%H:%M:%S"
    )
    with parts.store.write() as s:
        fresh = attempt_row(s, attempt["key"])
        if fresh is None or fresh["state"] not in (AttemptState.ACTIVE, AttemptState.SUBMITTING):
            return
        attempt_update(s, attempt["key"], state=AttemptState.FENCING, reason=reason)
        text = f"fencing {attempt['key']} ({reason}): until its wrapper confirms the kill, by {deadline} UTC"
        job_update(s, attempt["job_id"], reason=text, updated_at=now)
        Store.event(s, now, attempt["job_id"], "fencing", text)


def fence_step(parts: Parts, attempt: RowMapping, now: float, report: TickReport) -> None:
    """Step 3 (the record, when there is one, was handled by step 1)."""
    lease = parts.lease_of(attempt["pool_id"])
    if lease is None:
        settle_lost(parts, attempt, now, attempt["reason"], report)
        return
    directory = lease.dir(attempt["key"])
    revoked = revoked_at(directory)
    if revoked is None:  # the directory went away: revoke again, count from now
        revoked = revoke(directory, now)
    if now >= lease.fence_deadline(revoked, directory):
        reason = f"{attempt['reason']}; fenced: lease lapsed without a record"
        settle_lost(parts, attempt, now, reason, report, None, wrapped(parts, attempt))


def _as(status: RunStatus, state: RunState) -> RunStatus:
    return RunStatus(
        status.handle,
        state,
        exit_code=status.exit_code,
        reason=status.reason,
        started_at=status.started_at,
        ended_at=status.ended_at,
    )
