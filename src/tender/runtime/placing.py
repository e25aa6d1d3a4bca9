"""Steps 4-6 of a tick: schedule with the shared scheduler, commit each placement, say why jobs wait.

1. `schedule_round(ClusterState, now, policy, contract rules)` proposes placements on pools that are up,
   with each pool's free GPUs and, for pools that share an engine, the engine's (`tender.runtime.engines`:
   one capacity truth per engine, so pools on one engine never oversubscribe it).
2. Commit each placement against fresh state: pick its devices where Tender assigns them (local), record
   the attempt (`submitting`, with its devices), submit (`CUDA_VISIBLE_DEVICES` in the env), record the
   handle. A refusal is logged and the job requeued (`requeue`: it counts as a retry).
3. Record why every job still waiting waits (`tender.runtime.verdicts`: a reason code, the clause id, the
   detail; `engine_unreachable` naming the engine and its last error when every pool it may use is down).
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
    RunningJob,
    schedule_round,
)
from tender.ports import Backend, CapacityReport, RunRequest, SubmitRefused
from tender.runtime import verdicts
from tender.runtime.engines import (
    TENDER_ASSIGNS_DEVICES,
    devices_in_use,
    engine_names,
    free_gpus,
    pick_devices,
)
from tender.runtime.pools import PoolConfig, RuntimeConfig
from tender.runtime.store import (
    OPEN_ATTEMPT_STATES,
    Store,
    attempt_update,
    insert_attempt,
    job_row,
    job_update,
)


@dataclass(frozen=True)
class Engine:
    """The pools that draw on one engine, and its device count (0 = unknown)."""

    pools: frozenset[str]
    devices: int


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
        pools = [p.placement_pool() for p in self.config.pools]
        engine_of = engine_names(self.config.pools, self._backends)
        free, engine_free, counted = free_gpus(self.config, capacity, open_attempts, engine_of)
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
            engine_of=counted,
            engine_free=engine_free,
        )
        rules = self.config.rules(now)
        requests_by_id = {r.id: r for r in requests}
        result = schedule_round(state, now, self.policy, rules)
        placed: set[str] = set()
        for placement in result.placements:
            pool = self.config.pool(placement.pool_id)
            mates = frozenset(p for p, engine in engine_of.items() if engine == engine_of[placement.pool_id])
            devices = capacity[placement.pool_id].total_gpus  # device indices 0..total-1 on the engine
            if pool is not None and self._commit(placement.job_id, pool, now, Engine(mates, devices)):
                placed.add(placement.job_id)
                report.placed.append(placement.job_id)
        with self.store.write() as s:
            for job in queued:
                fresh = job_row(s, job["id"])
                if job["id"] in placed or fresh is None or fresh["state"] != "queued":
                    continue
                request = requests_by_id[job["id"]]
                verdict = result.verdict(job["id"])
                why = verdicts.waiting(request, verdict, pools, rules, capacity, self.config)
                text = why.text()
                if why.never:
                    job_update(
                        s,
                        job["id"],
                        state="rejected",
                        reason=text,
                        reason_code=why.code,
                        reason_clause=why.clause,
                        updated_at=now,
                    )
                    data = {"reason": text, "code": why.code, "clause": why.clause}
                    Store.event(s, now, job["id"], "rejected", text, data=data)
                elif fresh["reason"] != text:
                    job_update(s, job["id"], reason=text, reason_code=why.code, reason_clause=why.clause)

    @staticmethod
    def _request(job: RowMapping) -> JobRequest:
        return verdicts.job_request(
            job["id"],
            job["gpus"],
            job["gpu_types"].split(","),
            job["workload_class"],
            job["workload"],
            job["submitted_at"],
        )

    def _devices(self, s: Session, pool: PoolConfig, engine: Engine, gpus: int) -> tuple[int, ...] | None:
        """Devices for an attempt on an engine that does not pick them itself (`engines` step 3): () when the
        engine picks (Slurm, Ray) or reports no devices; None when too few are free right now."""
        if self._backends[pool.id].kind not in TENDER_ASSIGNS_DEVICES or not engine.devices:
            return ()
        query = select(attempts.c.devices).where(
            attempts.c.pool_id.in_(sorted(engine.pools)), attempts.c.state.in_(OPEN_ATTEMPT_STATES)
        )
        return pick_devices(engine.devices, devices_in_use(s.execute(query).mappings()), gpus)

    def _commit(self, job_id: str, pool: PoolConfig, now: float, engine: Engine) -> bool:
        with self.store.write() as s:  # record first: a crash after this line is repaired by step 2a
            job = job_row(s, job_id)
            if job is None or job["state"] != "queued":
                return False
            devices = self._devices(s, pool, engine, job["gpus"])
            if devices is None:
                return False  # stays queued; the next round sees the engine as it is
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
                devices=",".join(map(str, devices)) or None,
            )
            job_update(
                s,
                job_id,
                state="running",
                attempts=number,
                pool_id=pool.id,
                reason="",
                reason_code=None,
                reason_clause=None,
                updated_at=now,
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
            env={
                **json.loads(job["env"]),
                **({"CUDA_VISIBLE_DEVICES": ",".join(map(str, devices))} if devices else {}),
            },
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
