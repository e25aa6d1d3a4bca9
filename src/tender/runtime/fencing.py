"""Fenced failover, mixed into `tender.runtime.driver.Runtime`: a job's next attempt starts only once the
previous one is known dead (its wrapper's record) or fenced (its lease revoked and lapsed).

1. `_settled_by_wrapper`: an attempt whose fence wrapper wrote its record (the command's whole tree is
   dead) is settled from that record, whatever the engine says or whether it answers: ended by itself
   -> succeeded / failed by its exit code; killed -> cancelled (asked for) or lost (requeued). Billed
   from the wrapper's timestamps. A wrapper whose renewals stopped for longer than the lease is fenced.
2. `_begin_fence` (an attempt the engine lost, or forgot, or an engine silent for `lost_after`): revoke
   the lease (`tender.fence.lease.revoke`), ask the engine to cancel (best effort), and mark the attempt
   `fencing`. It still holds its GPUs (an open attempt) and the job stays `running`, so the scheduler
   cannot place it again.
3. `_fence_step`, every tick: the wrapper's record settles it (normally within one renewal interval plus
   the kill grace); else at `LeaseSettings.fence_deadline(revoked_at)` the wrapper has killed its tree
   by itself (lease lapsed, or it saw the revocation): lost, billed up to its last lease renewal.
Attempts on engines without a wrapper (the fake backend) settle at once, as before.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from sqlalchemy.engine import RowMapping

from tender.fence.lease import MARGIN_SECONDS, LeaseSettings, last_beat, read_record, revoke, revoked_at
from tender.fence.lease import started_at as lease_started_at
from tender.ports import Backend, EngineUnreachable, RunState, RunStatus
from tender.runtime.meter import Wrapped
from tender.runtime.placing import TickReport
from tender.runtime.store import Store, attempt_row, attempt_update, job_update


def _stamp(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


class Fencing:
    """Needs the driver's store, backends and settle steps (`_finish`, `_settle_lost`)."""

    store: Store
    _backends: dict[str, Backend]

    def _finish(
        self,
        attempt: RowMapping,
        status: RunStatus,
        now: float,
        report: TickReport,
        wrapped: Wrapped | None = None,
    ) -> None: ...

    def _settle_lost(
        self,
        attempt: RowMapping,
        now: float,
        reason: str,
        report: TickReport,
        status: RunStatus | None = None,
        wrapped: Wrapped | None = None,
    ) -> None: ...

    # ---- what the wrapper says ------------------------------------------------------------------
    def lease_of(self, pool_id: str) -> LeaseSettings | None:
        backend = self._backends.get(pool_id)
        lease = getattr(backend, "lease", None)
        return lease if isinstance(lease, LeaseSettings) else None

    def wrapped(self, attempt: RowMapping) -> Wrapped | None:
        lease = self.lease_of(attempt["pool_id"])
        if lease is None:
            return None
        directory = lease.dir(attempt["key"])
        record = read_record(directory)
        if record is not None:
            return Wrapped(record.started, record.ended, last_beat(directory))
        return Wrapped(lease_started_at(directory), None, last_beat(directory))

    def _settled_by_wrapper(self, attempt: RowMapping, now: float, report: TickReport) -> bool:
        """Step 1; True when the attempt needs nothing more this tick."""
        lease = self.lease_of(attempt["pool_id"])
        if lease is None:
            return False
        directory = lease.dir(attempt["key"])
        record = read_record(directory)
        if record is None:
            beat = last_beat(directory)
            silent_for = now - beat if beat is not None else 0.0
            if (
                attempt["state"] == "active"
                and lease_started_at(directory) is not None
                and silent_for > sum(lease.timings(directory)[:2]) + MARGIN_SECONDS
            ):
                self._begin_fence(attempt, now, f"no lease renewal for {silent_for:.0f} s", report)
                return True
            return False
        wrapped = Wrapped(record.started, record.ended, last_beat(directory))
        status = RunStatus(
            attempt["handle"] or attempt["key"],
            RunState.SUCCEEDED if record.rc == 0 else RunState.FAILED,
            exit_code=record.rc,
            started_at=_stamp(record.started),
            ended_at=_stamp(record.ended),
        )
        job = self.store.job(attempt["job_id"])
        if record.exited:
            self._finish(attempt, status, now, report, wrapped)
        elif job is not None and job["cancel_requested"]:
            self._finish(attempt, _as(status, RunState.CANCELLED), now, report, wrapped)
        elif record.started is None:
            self._settle_lost(attempt, now, "the wrapper found its lease revoked and ran nothing", report)
        else:
            reason = attempt["reason"] if attempt["state"] == "fencing" else f"killed: {record.cause}"
            self._settle_lost(
                attempt, now, reason or record.cause, report, _as(status, RunState.LOST), wrapped
            )
        return True

    # ---- fencing ------------------------------------------------------------------------------------
    def _begin_fence(self, attempt: RowMapping, now: float, reason: str, report: TickReport) -> None:
        """Step 2."""
        lease = self.lease_of(attempt["pool_id"])
        assert lease is not None
        revoked = revoke(lease.dir(attempt["key"]), now)
        if attempt["handle"]:
            with contextlib.suppress(EngineUnreachable, KeyError):
                self._backends[attempt["pool_id"]].cancel(attempt["handle"])
        deadline = datetime.fromtimestamp(
            lease.fence_deadline(revoked, lease.dir(attempt["key"])), UTC
        ).strftime("%H:%M:%S")
        with self.store.write() as s:
            fresh = attempt_row(s, attempt["key"])
            if fresh is None or fresh["state"] not in ("active", "submitting"):
                return
            attempt_update(s, attempt["key"], state="fencing", reason=reason)
            text = (
                f"fencing {attempt['key']} ({reason}): until its wrapper confirms the kill, by {deadline} UTC"
            )
            job_update(s, attempt["job_id"], reason=text, updated_at=now)
            Store.event(s, now, attempt["job_id"], "fencing", text)

    def _fence_step(self, attempt: RowMapping, now: float, report: TickReport) -> None:
        """Step 3 (the record, when there is one, was handled by step 1)."""
        lease = self.lease_of(attempt["pool_id"])
        if lease is None:
            self._settle_lost(attempt, now, attempt["reason"], report)
            return
        directory = lease.dir(attempt["key"])
        revoked = revoked_at(directory)
        if revoked is None:  # the directory went away: revoke again, count from now
            revoked = revoke(directory, now)
        if now >= lease.fence_deadline(revoked, directory):
            reason = f"{attempt['reason']}; fenced: lease lapsed without a record"
            self._settle_lost(attempt, now, reason, report, None, self.wrapped(attempt))


def _as(status: RunStatus, state: RunState) -> RunStatus:
    return RunStatus(
        status.handle,
        state,
        exit_code=status.exit_code,
        reason=status.reason,
        started_at=status.started_at,
        ended_at=status.ended_at,
    )
