"""Steps 4-6 of a tick: schedule with the shared scheduler, commit each placement, say why jobs wait.

1. `schedule_round(ClusterState, now, policy, contract rules)` proposes placements on pools that are up,
   with free GPUs = min(pool size, engine total) - GPUs of Tender's open attempts there.
2. Commit each placement against fresh state: record the attempt (`submitting`), submit, record the
   handle. A refusal is logged and the job requeued (`requeue`: it counts as a retry).
3. Record why every job still waiting waits (the scheduler's verdict, exclusivity named).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.ledger.sql.runtime_tables import attempts
from tender.placement import (
    ClusterState,
    JobRequest,
    Policy,
    Reason,
    RunningJob,
    feasible_pools,
    schedule_round,
)
from tender.ports import Backend, CapacityReport, RunRequest, SubmitRefused
from tender.runtime.pools import PoolConfig, RuntimeConfig
from tender.runtime.store import Store, attempt_update, insert_attempt, job_row, job_update


@dataclass
class TickReport:
    placed: list[str] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)
    requeued: list[str] = field(default_factory=list)
    down: dict[str, str] = field(default_factory=dict)


def run_key(instance: str, job_id: str, number: int) -> str:
    """Unique across runtimes sharing an engine (the engine keeps old names): `tender-<instance>-<job>-<n>`."""
    return f"tender-{instance}-{job_id}-{number}"


def previous_pool(s: Session, job_id: str, number: int) -> str | None:
    """The pool of the job's attempt before `number` (None for a first attempt)."""
    return s.execute(
        select(attempts.c.pool_id).where(attempts.c.job_id == job_id, attempts.c.number == number - 1)
    ).scalar_one_or_none()


def requeue(s: Session, job_id: str, now: float, reason: str) -> None:
    job = job_row(s, job_id)
    if job is None:
        return
    retries = job["retries"] + 1
    if job["cancel_requested"]:
        job_update(s, job_id, state="cancelled", reason="cancelled", retries=retries, updated_at=now)
        Store.event(s, now, job_id, "cancelled", reason, data={"reason": reason})
    elif retries > job["max_retries"]:
        job_update(
            s,
            job_id,
            state="failed",
            reason=f"gave up after {retries} infrastructure failures; last: {reason}",
            retries=retries,
            updated_at=now,
        )
        Store.event(s, now, job_id, "gave_up", reason, data={"reason": reason, "retries": retries})
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


class Placing:
    """Scheduling and committing, mixed into `tender.runtime.driver.Runtime`."""

    store: Store
    config: RuntimeConfig
    policy: Policy
    instance: str
    _backends: dict[str, Backend]

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
        rules = self.config.rules(now)
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
                    Store.event(s, now, job["id"], "rejected", text, data={"reason": text})
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
            before = previous_pool(s, job_id, number)
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
            Store.event(s, now, job_id, "placed", f"{key} on {pool.id} ({pool.backend.kind})", audit=False)
            moved = before is not None and before != pool.id
            Store.event(  # audit only: the placement, or a fail-over when an earlier attempt ran elsewhere
                s,
                now,
                job_id,
                "failed_over" if moved else "placed",
                f"{key} on {pool.id}" + (f" (from {before})" if moved else ""),
                data={"pool": pool.id, "attempt": number, "key": key, "from": before},
                history=False,
            )
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
                requeue(s, job_id, now, f"{pool.id} refused: {exc.reason}")
            return False
        with self.store.write() as s:
            attempt_update(s, key, handle=handle, state="active")
        return True
