"""The live driver: one `tick()` observes the engines, repairs drift, schedules and commits.

It drives the very same scheduler as the simulator (`tender.placement.schedule_round`); only the clock
(real) and the adapters (real backends, SQL state) differ. One tick, in order:

1. Probe every engine's capacity (`unreachable` / `degraded` pools are `down` for the scheduler).
2. Reconcile open attempts with what the engines report:
   0. an attempt whose fence wrapper wrote its record is settled from it (`fencing.Fencing`), and an
      attempt being fenced waits for that record or for its lease to lapse;
   a. an attempt recorded as `submitting` (the runtime died between recording and submitting) is looked
      up by its key; found -> active, not found -> dropped and the job queued again (no retry spent);
   b. a final state finishes the attempt: metered once (`meter`), the job ends or is requeued;
   c. `lost` (node failure, vanished process), or an engine silent for `lost_after` seconds, or a handle
      the engine forgot for `lost_after` seconds, or a final state the wrapper did not confirm -> fence
      (revoke the lease; see `fencing`), then requeue with the reason, up to `max_retries`.
3. Cancel what users asked to cancel.
4. Schedule (`placing.Placing`): `schedule_round(ClusterState, now, policy, contract rules)` proposes placements.
5. Commit each placement against fresh state: record the attempt (`submitting`), submit, record the
   handle. A refusal is logged and the job requeued (it counts as a retry).
6. Record why every job still waiting waits (the scheduler's verdict), so `tender jobs` can show it.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.backends import make_backend
from tender.fence.lease import LeaseSettings, revoke
from tender.placement import (
    Policy,
    PolicyName,
)
from tender.ports import (
    Backend,
    CapacityReport,
    Clock,
    EngineUnreachable,
    RunState,
    RunStatus,
)
from tender.runtime import queue
from tender.runtime.fencing import Fencing
from tender.runtime.meter import Wrapped, measure
from tender.runtime.meter import record as meter_record
from tender.runtime.placing import Placing, TickReport, requeue
from tender.runtime.pools import RuntimeConfig
from tender.runtime.spec import JobSpec
from tender.runtime.store import (
    Store,
    attempt_row,
    attempt_state,
    attempt_update,
    job_row,
    job_update,
)


class Runtime(Placing, Fencing):
    def __init__(
        self,
        store: Store,
        config: RuntimeConfig,
        clock: Clock,
        state_dir: Path,
        backends: Mapping[str, Backend] | None = None,
        policy: Policy | None = None,
        lost_after: float = 60.0,
        lease: LeaseSettings | None = None,
    ) -> None:
        self.store = store
        self.lease = lease or LeaseSettings(state_dir / "leases")
        self.config = config
        self.clock = clock
        self.policy = policy or Policy(name=PolicyName.FIFO_HET, backfill=True)
        self.lost_after = lost_after
        self._backends: dict[str, Backend] = dict(backends or {})
        shared: dict[str, Backend] = {}
        for pool in config.pools:
            if pool.id not in self._backends:
                # Pools on one engine share its adapter; a local (or fake) engine without a `gpus`
                # option has the pool's GPUs, so pools of different sizes get their own.
                sized = pool.backend.kind in ("local", "fake") and "gpus" not in pool.backend.options
                key = json.dumps(
                    [pool.backend.kind, sorted(pool.backend.options.items()), pool.gpus if sized else None]
                )
                if key not in shared:
                    shared[key] = make_backend(
                        pool.backend, state_dir, clock, gpus=pool.gpus, lease=self.lease
                    )
                self._backends[pool.id] = shared[key]
        instance = store.get_setting("instance")
        if instance is None:
            instance = secrets.token_hex(3)
            store.put_setting("instance", instance)
        self.instance = instance
        self._silent_since: dict[str, float] = {}  # pool id -> first failed probe/status
        self._unknown_since: dict[str, float] = {}  # attempt key -> first UNKNOWN

    # ---- entry points ---------------------------------------------------------------------
    def use_lease(self, lease: float, renew: float, grace: float) -> None:
        """Set the fence timings of every wrapped engine (`tender agent --lease/--renew/--kill-grace`)."""
        self.lease = LeaseSettings(self.lease.root, lease, renew, grace, self.lease.python)
        for backend in self._backends.values():
            current = getattr(backend, "lease", None)
            if isinstance(current, LeaseSettings):
                backend.lease = LeaseSettings(current.root, lease, renew, grace, current.python)  # type: ignore[attr-defined]

    def now(self) -> float:
        return self.clock.now().timestamp()

    def backend(self, pool_id: str) -> Backend:
        return self._backends[pool_id]

    def submit(self, spec: JobSpec, *, submitted_by: str = "cli", team: str | None = None) -> str:
        with self.store.write() as s:
            return queue.submit(s, spec, now=self.clock.now(), submitted_by=submitted_by, team=team)

    def request_cancel(self, job_id: str, *, actor: str = "cli") -> bool:
        with self.store.write() as s:
            return queue.request_cancel(s, job_id, now=self.clock.now(), actor=actor)

    def logs(self, job_id: str) -> str:
        for attempt in reversed(self.store.attempts_of(job_id)):
            if attempt["handle"]:
                try:
                    return self.backend(attempt["pool_id"]).logs(attempt["handle"])
                except (EngineUnreachable, KeyError) as exc:
                    return f"(logs unavailable: {exc})\n"
        return ""

    def capacities(self) -> dict[str, CapacityReport]:
        reports: dict[int, CapacityReport] = {}
        out: dict[str, CapacityReport] = {}
        for pool in self.config.pools:
            backend = self._backends[pool.id]
            if id(backend) not in reports:
                reports[id(backend)] = backend.capacity()
            out[pool.id] = reports[id(backend)]
        return out

    # ---- one tick ---------------------------------------------------------------------------
    def tick(self) -> TickReport:
        report = TickReport()
        now = self.now()
        capacity = self.capacities()  # 1
        for pool_id, cap in capacity.items():
            if cap.usable:
                self._silent_since.pop(pool_id, None)
            else:
                report.down[pool_id] = cap.reason or cap.status.value
                self._silent_since.setdefault(pool_id, now)
        self._reconcile(now, report)  # 2
        self._cancel_requested(now)  # 3
        self._schedule(now, capacity, report)  # 4-6
        return report

    def _reconcile(self, now: float, report: TickReport) -> None:
        by_pool: dict[str, list[RowMapping]] = {}
        for attempt in self.store.open_attempts():
            by_pool.setdefault(attempt["pool_id"], []).append(attempt)
        for pool_id, open_attempts in sorted(by_pool.items()):
            backend = self._backends.get(pool_id)
            if backend is None:
                for attempt in open_attempts:
                    self._settle_lost(attempt, now, f"pool {pool_id} is no longer configured", report)
                continue
            open_attempts = [a for a in open_attempts if not self._settled_by_wrapper(a, now, report)]  # 0
            for attempt in [a for a in open_attempts if a["state"] == "fencing"]:
                self._fence_step(attempt, now, report)
            open_attempts = [a for a in open_attempts if a["state"] != "fencing"]
            if not open_attempts:
                continue
            try:
                for attempt in [a for a in open_attempts if a["handle"] is None]:  # 2a
                    handle = backend.find(attempt["key"])
                    self._adopt(attempt, handle, now, report)
                handles = [
                    a["handle"]
                    for a in self.store.open_attempts()
                    if a["pool_id"] == pool_id and a["handle"] and a["state"] != "fencing"
                ]
                statuses = backend.status(handles)
            except EngineUnreachable as exc:
                since = self._silent_since.setdefault(pool_id, now)
                if now - since >= self.lost_after:  # 2c: silent too long
                    for attempt in open_attempts:
                        self._lost(
                            attempt, now, f"engine silent for {now - since:.0f} s: {exc}", report, cancel=True
                        )
                continue
            for attempt in self.store.open_attempts():
                if (
                    attempt["pool_id"] == pool_id
                    and attempt["handle"] in statuses
                    and attempt["state"] != "fencing"
                ):
                    self._observe(attempt, statuses[attempt["handle"]], now, report)

    def _adopt(self, attempt: RowMapping, handle: str | None, now: float, report: TickReport) -> None:
        with self.store.write() as s:
            if attempt_state(s, attempt["key"]) != "submitting":
                return
            if handle is not None:
                attempt_update(s, attempt["key"], handle=handle, state="active")
                job_update(s, attempt["job_id"], state="running", reason="", updated_at=now)
                Store.event(
                    s,
                    now,
                    attempt["job_id"],
                    "adopted",
                    f"{attempt['key']} found on {attempt['pool_id']} as {handle}",
                    data={"pool": attempt["pool_id"], "key": attempt["key"]},
                )
                return
            lease = self.lease_of(attempt["pool_id"])
            if lease is not None:  # should the submission still arrive, its wrapper starts nothing
                revoke(lease.dir(attempt["key"]), now)
            attempt_update(s, attempt["key"], state="refused", reason="never reached the engine")
            job_update(
                s,
                attempt["job_id"],
                state="queued",
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

    def _observe(self, attempt: RowMapping, status: RunStatus, now: float, report: TickReport) -> None:
        key = attempt["key"]
        if status.state is RunState.UNKNOWN:
            since = self._unknown_since.setdefault(key, now)
            if now - since >= self.lost_after:
                self._lost(attempt, now, f"{attempt['pool_id']} no longer knows {attempt['handle']}", report)
            return
        self._unknown_since.pop(key, None)
        if status.state.final and self.lease_of(attempt["pool_id"]) is not None:
            if not self._settled_by_wrapper(attempt, now, report):  # it may have ended just now
                what = f"{attempt['pool_id']} says {status.state.value}"
                self._lost(attempt, now, f"{what}: {status.reason}" if status.reason else what, report)
        elif status.state is RunState.LOST:
            self._lost(
                attempt, now, status.reason or "lost by the engine", report, status=status, cancel=True
            )
        elif status.state.final:
            self._finish(attempt, status, now, report)
        elif status.state is RunState.RUNNING and attempt["started_at"] is None:
            # the engine's start; else the first time Tender saw it running (bills a lost attempt, meter 1c)
            started = status.started_at.timestamp() if status.started_at else now
            with self.store.write() as s:
                attempt_update(s, key, started_at=started)
                Store.event(s, now, attempt["job_id"], "started", f"{key} on {attempt['pool_id']}")

    def _meter(
        self,
        s: Session,
        attempt: RowMapping,
        status: RunStatus | None,
        outcome: str,
        reason: str,
        now: float,
        wrapped: Wrapped | None = None,
    ) -> None:
        measured = measure(status, attempt["gpus"], attempt["started_at"], now, wrapped)
        if measured is not None:
            pool_id = attempt["pool_id"]
            meter_record(
                s,
                attempt_key=attempt["key"],
                job_id=attempt["job_id"],
                pool_id=pool_id,
                pool=self.config.pool(pool_id),
                measured=measured,
                outcome=outcome,
                reason=reason,
                now=now,
            )

    def _finish(
        self,
        attempt: RowMapping,
        status: RunStatus,
        now: float,
        report: TickReport,
        wrapped: Wrapped | None = None,
    ) -> None:
        outcome = status.state.value
        with self.store.write() as s:
            if attempt_state(s, attempt["key"]) not in ("active", "submitting", "fencing"):
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
            self._meter(s, attempt, status, outcome, status.reason, now, wrapped)
            job = job_row(s, attempt["job_id"])
            if status.state is RunState.CANCELLED and job is not None and not job["cancel_requested"]:
                reason = "cancelled outside Tender"
                job_state = "failed"
            else:
                job_state = outcome
                reason = f"exit {status.exit_code}" if status.exit_code is not None else outcome
            job_update(s, attempt["job_id"], state=job_state, reason=reason, updated_at=now)
            Store.event(
                s,
                now,
                attempt["job_id"],
                "finished",
                f"{attempt['key']} {outcome} on {attempt['pool_id']} ({reason})",
                data={
                    "pool": attempt["pool_id"],
                    "key": attempt["key"],
                    "state": job_state,
                    "reason": reason,
                },
            )
        report.finished.append(attempt["job_id"])

    def _lost(
        self,
        attempt: RowMapping,
        now: float,
        reason: str,
        report: TickReport,
        status: RunStatus | None = None,
        cancel: bool = False,
    ) -> None:
        """An attempt the engine lost, forgot or went silent on: fence it first when it has a wrapper."""
        if self.lease_of(attempt["pool_id"]) is not None:
            self._begin_fence(attempt, now, reason, report)
            return
        if cancel and attempt["handle"]:
            with contextlib.suppress(EngineUnreachable, KeyError):
                self._backends[attempt["pool_id"]].cancel(attempt["handle"])
        self._settle_lost(attempt, now, reason, report, status)

    def _settle_lost(
        self,
        attempt: RowMapping,
        now: float,
        reason: str,
        report: TickReport,
        status: RunStatus | None = None,
        wrapped: Wrapped | None = None,
    ) -> None:
        """The attempt is dead (or fenced): record it lost, bill it, requeue the job."""
        with self.store.write() as s:
            fresh = attempt_row(s, attempt["key"])
            if fresh is None or fresh["state"] not in ("active", "submitting", "fencing"):
                return
            started = status.started_at.timestamp() if status and status.started_at else fresh["started_at"]
            if wrapped is not None and wrapped.started is not None:
                started = wrapped.started
            ended = status.ended_at.timestamp() if status and status.ended_at else (now if started else None)
            if wrapped is not None and (wrapped.ended or wrapped.last_beat):
                ended = wrapped.ended or wrapped.last_beat
            attempt_update(s, attempt["key"], state="lost", reason=reason, started_at=started, ended_at=ended)
            self._meter(s, fresh, status, "lost", reason, now, wrapped)
            requeue(s, attempt["job_id"], now, f"{attempt['pool_id']}: {reason}")
        report.requeued.append(attempt["job_id"])

    def _cancel_requested(self, now: float) -> None:
        wanted = {j["id"] for j in self.store.jobs(["running"]) if j["cancel_requested"]}
        for attempt in self.store.open_attempts():
            lease = self.lease_of(attempt["pool_id"])
            if attempt["job_id"] in wanted and lease is not None:  # reaches the wrapper without the engine
                revoke(lease.dir(attempt["key"]), now)
            if attempt["job_id"] in wanted and attempt["handle"]:
                try:
                    self._backends[attempt["pool_id"]].cancel(attempt["handle"])
                except (EngineUnreachable, KeyError):
                    continue
