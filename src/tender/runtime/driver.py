"""The live driver: one `tick()` observes the engines, repairs drift, schedules and commits.

It drives the very same scheduler as the simulator (`tender.placement.schedule_round`); only the clock
(real) and the adapters (real backends, SQL state) differ. One tick, in order:

1. Probe every engine's capacity (`unreachable` / `degraded` pools are `down` for the scheduler).
2. Reconcile open attempts with what the engines report:
   a. an attempt recorded as `submitting` (the runtime died between recording and submitting) is looked
      up by its key; found -> active, not found -> dropped and the job queued again (no retry spent);
   b. a final state finishes the attempt: metered once (engine start/end), the job ends or is requeued;
   c. `lost` (node failure, vanished process), or an engine silent for `lost_after` seconds, or a handle
      the engine forgot for `lost_after` seconds -> requeue with the reason, up to `max_retries`.
3. Cancel what users asked to cancel.
4. Schedule: `schedule_round(ClusterState, now, policy, contract rules)` proposes placements.
5. Commit each placement against fresh state: record the attempt (`submitting`), submit, record the
   handle. A refusal is logged and the job requeued (it counts as a retry).
6. Record why every job still waiting waits (the scheduler's verdict), so `tender jobs` can show it.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.backends import make_backend
from tender.placement import (
    ClusterState,
    JobRequest,
    Policy,
    PolicyName,
    Reason,
    RunningJob,
    feasible_pools,
    schedule_round,
)
from tender.ports import (
    Backend,
    CapacityReport,
    Clock,
    EngineUnreachable,
    RunRequest,
    RunState,
    RunStatus,
    SubmitRefused,
)
from tender.runtime.meter import measure
from tender.runtime.meter import record as meter_record
from tender.runtime.pools import PoolConfig, RuntimeConfig
from tender.runtime.spec import JobSpec
from tender.runtime.store import (
    ACTIVE_JOB_STATES,
    Store,
    attempt_row,
    attempt_state,
    attempt_update,
    insert_attempt,
    job_row,
    job_update,
)


@dataclass
class TickReport:
    placed: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    down: dict[str, str] = field(default_factory=dict)


def run_key(instance: str, job_id: str, number: int) -> str:
    """Unique across runtimes sharing an engine (the engine keeps old names): `tender-<instance>-<job>-<n>`."""
    return f"tender-{instance}-{job_id}-{number}"


class Runtime:
    def __init__(
        self,
        store: Store,
        config: RuntimeConfig,
        clock: Clock,
        state_dir: Path,
        backends: Mapping[str, Backend] | None = None,
        policy: Policy | None = None,
        lost_after: float = 60.0,
    ) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.policy = policy or Policy(name=PolicyName.FIFO_HET, backfill=True)
        self.lost_after = lost_after
        self._backends: dict[str, Backend] = dict(backends or {})
        shared: dict[str, Backend] = {}
        for pool in config.pools:
            if pool.id not in self._backends:
                key = json.dumps([pool.backend.kind, sorted(pool.backend.options.items())])
                if key not in shared:
                    shared[key] = make_backend(pool.backend, state_dir, clock)
                self._backends[pool.id] = shared[key]
        instance = store.get_setting("instance")
        if instance is None:
            instance = secrets.token_hex(3)
            store.put_setting("instance", instance)
        self.instance = instance
        self._silent_since: dict[str, float] = {}  # pool id -> first failed probe/status
        self._unknown_since: dict[str, float] = {}  # attempt key -> first UNKNOWN

    # ---- entry points ---------------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now().timestamp()

    def backend(self, pool_id: str) -> Backend:
        return self._backends[pool_id]

    def submit(self, spec: JobSpec) -> str:
        now = self.now()
        job_id = f"{spec.name}-{self.store.next_job_number()}"
        self.store.add_job(
            {
                "id": job_id,
                "name": spec.name,
                "command": spec.command,
                "gpus": spec.gpus,
                "gpu_types": ",".join(spec.accelerators),
                "workload_class": spec.workload_class,
                "workload": spec.workload,
                "max_retries": spec.max_retries,
                "env": json.dumps(spec.env, sort_keys=True),
                "state": "queued",
                "reason": "not scheduled yet",
                "retries": 0,
                "attempts": 0,
                "cancel_requested": False,
                "submitted_at": now,
                "updated_at": now,
            },
            now,
        )
        return job_id

    def request_cancel(self, job_id: str) -> bool:
        now = self.now()
        with self.store.write() as s:
            row = job_row(s, job_id)
            if row is None or row["state"] not in ACTIVE_JOB_STATES:
                return False
            if row["state"] == "queued":
                job_update(s, job_id, state="cancelled", reason="cancelled before it ran", updated_at=now)
                Store.event(s, now, job_id, "cancelled", "cancelled while queued")
            else:
                job_update(s, job_id, cancel_requested=True, updated_at=now)
                Store.event(s, now, job_id, "cancel_requested", "")
            return True

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
                    self._lost(attempt, now, f"pool {pool_id} is no longer configured", report)
                continue
            try:
                for attempt in [a for a in open_attempts if a["handle"] is None]:  # 2a
                    handle = backend.find(attempt["key"])
                    self._adopt(attempt, handle, now, report)
                handles = [
                    a["handle"] for a in self.store.open_attempts() if a["pool_id"] == pool_id and a["handle"]
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
                if attempt["pool_id"] == pool_id and attempt["handle"] in statuses:
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
                )
                return
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
                s, now, attempt["job_id"], "requeued", f"{attempt['key']} never reached {attempt['pool_id']}"
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
        if status.state is RunState.LOST:
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
        self, s: Session, attempt: RowMapping, status: RunStatus | None, outcome: str, reason: str, now: float
    ) -> None:
        measured = measure(status, attempt["gpus"], attempt["started_at"], now)
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

    def _finish(self, attempt: RowMapping, status: RunStatus, now: float, report: TickReport) -> None:
        outcome = status.state.value
        with self.store.write() as s:
            if attempt_state(s, attempt["key"]) not in ("active", "submitting"):
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
            self._meter(s, attempt, status, outcome, status.reason, now)
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
        if cancel and attempt["handle"]:
            with contextlib.suppress(EngineUnreachable, KeyError):
                self._backends[attempt["pool_id"]].cancel(attempt["handle"])
        with self.store.write() as s:
            fresh = attempt_row(s, attempt["key"])
            if fresh is None or fresh["state"] not in ("active", "submitting"):
                return
            started = status.started_at.timestamp() if status and status.started_at else fresh["started_at"]
            ended = status.ended_at.timestamp() if status and status.ended_at else (now if started else None)
            attempt_update(s, attempt["key"], state="lost", reason=reason, started_at=started, ended_at=ended)
            self._meter(s, fresh, status, "lost", reason, now)
            self._requeue(s, attempt["job_id"], now, f"{attempt['pool_id']}: {reason}")
        report.requeued.append(attempt["job_id"])

    @staticmethod
    def _requeue(s: Session, job_id: str, now: float, reason: str) -> None:
        job = job_row(s, job_id)
        if job is None:
            return
        retries = job["retries"] + 1
        if job["cancel_requested"]:
            job_update(s, job_id, state="cancelled", reason="cancelled", retries=retries, updated_at=now)
            Store.event(s, now, job_id, "cancelled", reason)
        elif retries > job["max_retries"]:
            job_update(
                s,
                job_id,
                state="failed",
                reason=f"gave up after {retries} infrastructure failures; last: {reason}",
                retries=retries,
                updated_at=now,
            )
            Store.event(s, now, job_id, "gave_up", reason)
        else:
            job_update(
                s,
                job_id,
                state="queued",
                pool_id=None,
                reason=f"requeued: {reason}",
                retries=retries,
                updated_at=now,
            )
            Store.event(s, now, job_id, "requeued", f"retry {retries}/{job['max_retries']}: {reason}")

    def _cancel_requested(self, now: float) -> None:
        wanted = {j["id"] for j in self.store.jobs(["running"]) if j["cancel_requested"]}
        for attempt in self.store.open_attempts():
            if attempt["job_id"] in wanted and attempt["handle"]:
                try:
                    self._backends[attempt["pool_id"]].cancel(attempt["handle"])
                except (EngineUnreachable, KeyError):
                    continue

    # ---- 4-6: schedule and commit ---------------------------------------------------------------
    def _schedule(self, now: float, capacity: Mapping[str, CapacityReport], report: TickReport) -> None:
        queued = self.store.jobs(["queued"])
        if not queued:
            return
        open_attempts = self.store.open_attempts()
        ours: dict[str, int] = {}
        for attempt in open_attempts:
            ours[attempt["pool_id"]] = ours.get(attempt["pool_id"], 0) + attempt["gpus"]
        pools = [p.placement_pool() for p in self.config.pools]
        free = {}
        for conf in self.config.pools:
            cap = capacity[conf.id]
            limit = min(conf.gpus, cap.total_gpus) if cap.total_gpus else conf.gpus
            free[conf.id] = max(0, limit - ours.get(conf.id, 0))
        requests = [self._request(job) for job in queued]
        running = {
            a["job_id"]: RunningJob(a["job_id"], a["pool_id"], a["gpus"], a["created_at"])
            for a in open_attempts
        }
        state = ClusterState(
            pools=pools,
            free=free,
            queued=requests,
            running=running,
            jobs={r.id: r for r in requests},
            down=frozenset(pid for pid, cap in capacity.items() if not cap.usable),
        )
        rules = self.config.rules()
        requests_by_id = {r.id: r for r in requests}
        result = schedule_round(state, now, self.policy, rules)
        placed: set[str] = set()
        for placement in result.placements:
            pool = self.config.pool(placement.pool_id)
            if pool is not None and self._commit(placement.job_id, pool, now):
                placed.add(placement.job_id)
                report.placed.append(placement.job_id)
        with self.store.write() as s:
            for job in queued:
                fresh = job_row(s, job["id"])
                if job["id"] in placed or fresh is None or fresh["state"] != "queued":
                    continue
                verdict = result.verdict(job["id"])
                text = f"{verdict.reason.value if verdict.reason else 'waiting'}: {verdict.detail}".rstrip(
                    ": "
                )
                # Say which pools contracts rule out, even when the job waits for capacity elsewhere.
                barred = {
                    v.detail
                    for v in feasible_pools(requests_by_id[job["id"]], pools, rules).rejected
                    if v.reason is Reason.EXCLUSIVITY
                }
                if barred and "exclusivity" not in text:
                    text += f" (exclusivity: {'; '.join(sorted(barred))})"
                if verdict.never:
                    job_update(s, job["id"], state="rejected", reason=text, updated_at=now)
                    Store.event(s, now, job["id"], "rejected", text)
                elif job["reason"] != text:
                    job_update(s, job["id"], reason=text)

    @staticmethod
    def _request(job: RowMapping) -> JobRequest:
        types = frozenset(t for t in job["gpu_types"].split(",") if t)
        return JobRequest(
            id=job["id"],
            gpus=job["gpus"],
            arrival=job["submitted_at"],
            work=1.0,
            gpu_types=types,
            workload_class=job["workload_class"],
            workload=job["workload"],
        )

    def _commit(self, job_id: str, pool: PoolConfig, now: float) -> bool:
        with self.store.write() as s:  # record first: a crash after this line is repaired by step 2a
            job = job_row(s, job_id)
            if job is None or job["state"] != "queued":
                return False
            number = job["attempts"] + 1
            key = run_key(self.instance, job_id, number)
            insert_attempt(
                s,
                key=key,
                job_id=job_id,
                number=number,
                pool_id=pool.id,
                handle=None,
                state="submitting",
                reason="",
                gpus=job["gpus"],
                created_at=now,
            )
            job_update(
                s, job_id, state="running", attempts=number, pool_id=pool.id, reason="", updated_at=now
            )
            Store.event(s, now, job_id, "placed", f"{key} on {pool.id} ({pool.backend.kind})")
        request = RunRequest(
            key=key,
            job_id=job_id,
            attempt=number,
            command=job["command"],
            gpus=job["gpus"],
            env=json.loads(job["env"]),
        )
        try:
            handle = self._backends[pool.id].submit(request)
        except SubmitRefused as exc:
            with self.store.write() as s:
                attempt_update(s, key, state="refused", reason=exc.reason)
                self._requeue(s, job_id, now, f"{pool.id} refused: {exc.reason}")
            return False
        with self.store.write() as s:
            attempt_update(s, key, handle=handle, state="active")
        return True
