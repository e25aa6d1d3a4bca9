"""Tick step 2: reconcile every open attempt with what its wrapper and its engine say, pool by pool.

1. A pool no longer configured: its attempts are lost (`settle.settle_lost`).
2. The fence wrapper's record settles an attempt whatever the engine says (`fencing.settled_by_wrapper`);
   an attempt being fenced waits for that record or for its lease to lapse (`fencing.fence_step`).
3. `adopt`: an attempt recorded as `submitting` (the runtime died between recording and submitting) is
   looked up by its key: found -> active; not found -> refused and the job queued again (no retry spent).
4. `observe` each handle's status: a final state finishes the attempt (`settle.finish`); `lost`, a handle
   the engine forgot for `lost_after` s, or a final state the wrapper did not confirm -> `lost`; the first
   time it runs, its start is recorded.
5. An engine silent (`EngineUnreachable`) for `lost_after` s: all its open attempts are `lost`.
`lost` fences an attempt that has a wrapper (`fencing.begin_fence`), else settles it at once.
"""

from __future__ import annotations

import contextlib

from sqlalchemy.engine import RowMapping

from tender.fence.lease import revoke
from tender.ports import Backend, EngineUnreachable, RunState, RunStatus
from tender.runtime.fencing import begin_fence, fence_step, settled_by_wrapper
from tender.runtime.parts import Memory, Parts, TickReport
from tender.runtime.settle import finish, settle_lost
from tender.runtime.store import AttemptState, JobState, Store, attempt_state, attempt_update, job_update


def reconcile(parts: Parts, memory: Memory, now: float, report: TickReport) -> None:
    by_pool: dict[str, list[RowMapping]] = {}
    for attempt in parts.store.open_attempts():
        by_pool.setdefault(attempt["pool_id"], []).append(attempt)
    for pool_id, open_attempts in sorted(by_pool.items()):
        backend = parts.backends.get(pool_id)
        if backend is None:  # 1
            for attempt in open_attempts:
                settle_lost(parts, attempt, now, f"pool {pool_id} is no longer configured", report)
            continue
        open_attempts = [a for a in open_attempts if not settled_by_wrapper(parts, a, now, report)]  # 2
        for attempt in [a for a in open_attempts if a["state"] == AttemptState.FENCING]:
            fence_step(parts, attempt, now, report)
        open_attempts = [a for a in open_attempts if a["state"] != AttemptState.FENCING]
        if open_attempts:
            _reconcile_pool(parts, memory, pool_id, backend, open_attempts, now, report)  # 3-5


def _reconcile_pool(
    parts: Parts,
    memory: Memory,
    pool_id: str,
    backend: Backend,
    open_attempts: list[RowMapping],
    now: float,
    report: TickReport,
) -> None:
    def watched() -> list[RowMapping]:  # fresh rows: steps 2-3 may have moved some
        return [
            a
            for a in parts.store.open_attempts()
            if a["pool_id"] == pool_id and a["state"] != AttemptState.FENCING
        ]

    try:
        for attempt in [a for a in open_attempts if a["handle"] is None]:  # 3
            adopt(parts, attempt, backend.find(attempt["key"]), now, report)
        statuses = backend.status([a["handle"] for a in watched() if a["handle"]])
    except EngineUnreachable as exc:
        since = memory.silent_since.setdefault(pool_id, now)
        if now - since >= parts.lost_after:  # 5: silent too long
            for attempt in open_attempts:
                lost(
                    parts, attempt, now, f"engine silent for {now - since:.0f} s: {exc}", report, cancel=True
                )
        return
    for attempt in watched():  # 4
        if attempt["handle"] in statuses:
            observe(parts, memory, attempt, statuses[attempt["handle"]], now, report)


def adopt(parts: Parts, attempt: RowMapping, handle: str | None, now: float, report: TickReport) -> None:
    """Step 3."""
    with parts.store.write() as s:
        if attempt_state(s, attempt["key"]) != AttemptState.SUBMITTING:
            return
        if handle is not None:
            attempt_update(s, attempt["key"], handle=handle, state=AttemptState.ACTIVE)
            job_update(s, attempt["job_id"], state=JobState.RUNNING, reason="", updated_at=now)
            Store.event(
                s,
                now,
                attempt["job_id"],
                "adopted",
                f"{attempt['key']} found on {attempt['pool_id']} as {handle}",
                data={"pool": attempt["pool_id"], "key": attempt["key"]},
            )
            return
        lease = parts.lease_of(attempt["pool_id"])
        if lease is not None:  # should the submission still arrive, its wrapper starts nothing
            revoke(lease.dir(attempt["key"]), now)
        attempt_update(s, attempt["key"], state=AttemptState.REFUSED, reason="never reached the engine")
        job_update(
            s,
            attempt["job_id"],
            state=JobState.QUEUED,
            pool_id=None,
            reason="requeued: submission interrupted",
            updated_at=now,
        )
        Store.event(
            s,
            now,
            attempt["job_id"],
            "requeued",
            f"{attempt['key']} never reached {attempt['pool_id']}",
            data={"reason": "submission interrupted", "from": attempt["pool_id"], "key": attempt["key"]},
        )
    report.requeued.append(attempt["job_id"])


def observe(
    parts: Parts, memory: Memory, attempt: RowMapping, status: RunStatus, now: float, report: TickReport
) -> None:
    """Step 4."""
    key = attempt["key"]
    if status.state is RunState.UNKNOWN:
        since = memory.unknown_since.setdefault(key, now)
        if now - since >= parts.lost_after:
            lost(parts, attempt, now, f"{attempt['pool_id']} no longer knows {attempt['handle']}", report)
        return
    memory.unknown_since.pop(key, None)
    if status.state.final and parts.lease_of(attempt["pool_id"]) is not None:
        if not settled_by_wrapper(parts, attempt, now, report):  # it may have ended just now
            what = f"{attempt['pool_id']} says {status.state.value}"
            lost(parts, attempt, now, f"{what}: {status.reason}" if status.reason else what, report)
    elif status.state is RunState.LOST:
        lost(parts, attempt, now, status.reason or "lost by the engine", report, status=status, cancel=True)
    elif status.state.final:
        finish(parts, attempt, status, now, report)
    elif status.state is RunState.RUNNING and attempt["started_at"] is None:
        # the engine's start; else the first time Tender saw it running (bills a lost attempt, meter 1c)
        started = status.started_at.timestamp() if status.started_at else now
        with parts.store.write() as s:
            attempt_update(s, key, started_at=started)
            Store.event(s, now, attempt["job_id"], "started", f"{key} on {attempt['pool_id']}")


def lost(
    parts: Parts,
    attempt: RowMapping,
    now: float,
    reason: str,
    report: TickReport,
    status: RunStatus | None = None,
    cancel: bool = False,
) -> None:
    """An attempt the engine lost, forgot or went silent on: fence it first when it has a wrapper."""
    if parts.lease_of(attempt["pool_id"]) is not None:
        begin_fence(parts, attempt, now, reason)
        return
    if cancel and attempt["handle"]:
        with contextlib.suppress(EngineUnreachable, KeyError):
            parts.backends[attempt["pool_id"]].cancel(attempt["handle"])
    settle_lost(parts, attempt, now, reason, report, status)
