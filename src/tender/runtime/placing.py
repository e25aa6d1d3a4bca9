"""Tick steps 4-6: schedule with the shared scheduler, commit each placement, say why jobs wait.

4. `propose(parts, queued, capacity, now)`: the round's `ClusterState` — pools that are up, each pool's
   free GPUs and, for pools that share an engine, the engine's (`tender.runtime.engines`: one capacity
   truth per engine, so pools on one engine never oversubscribe it) — and `parts.schedule` (the placement
   core, `schedule_round`) under the configuration's contract rules at `now`.
5. `commit_all`: the proposal through `tender.placement.commit.commit_round` (the simulator's order too),
   each placement by `commit(parts, placement, pool, engine, now)` against fresh state: pick its devices where
   Tender assigns them (local), record the attempt (`submitting`, with its devices), submit
   (`CUDA_VISIBLE_DEVICES` in the env), record the handle. A refusal is logged and the job requeued
   (`settle.requeue`: it counts as a retry).
6. `record_waiting(parts, round, placed, now)`: why every job still waiting waits (`tender.runtime.verdicts`:
   a reason code, the clause id, the detail; `engine_unreachable` naming the engine and its last error when
   every pool it may use is down); a job no pool may ever take is `rejected`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from tender.placement import (
    ClusterState,
    Eligibility,
    JobRequest,
    Placement,
    Pool,
    Preemption,
    RoundResult,
    RunningJob,
)
from tender.placement.commit import commit_round
from tender.ports import CapacityReport, RunRequest, SubmitRefused
from tender.runtime import verdicts
from tender.runtime.engines import (
    TENDER_ASSIGNS_DEVICES,
    devices_in_use,
    engine_names,
    free_gpus,
    pick_devices,
)
from tender.runtime.parts import Parts
from tender.runtime.pools import PoolConfig
from tender.runtime.settle import requeue
from tender.runtime.store import (
    AttemptState,
    JobState,
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


@dataclass(frozen=True)
class Round:
    """One scheduling round: what was asked (`requests`, by job id), on which pools, under which rules,
    and what the scheduler proposed."""

    queued: Sequence[RowMapping]
    requests: Mapping[str, JobRequest]
    pools: Sequence[Pool]
    rules: Eligibility
    engine_of: Mapping[str, str]  # pool id -> engine name
    result: RoundResult


def run_key(instance: str, job_id: str, number: int) -> str:
    """Unique across runtimes sharing an engine (the engine keeps old names): `tender-<instance>-<job>-<n>`."""
    return f"tender-{instance}-{job_id}-{number}"


def propose(
    parts: Parts, queued: Sequence[RowMapping], capacity: Mapping[str, CapacityReport], now: float
) -> Round:
    """Step 4."""
    open_attempts = parts.store.open_attempts()
    pools = [p.placement_pool() for p in parts.config.pools]
    engine_of = engine_names(parts.config.pools, parts.backends)
    free, engine_free, counted = free_gpus(parts.config, capacity, open_attempts, engine_of)
    requests = {job["id"]: _request(job) for job in queued}
    running = {
        a["job_id"]: RunningJob(a["job_id"], a["pool_id"], a["gpus"], a["created_at"]) for a in open_attempts
    }
    state = ClusterState(
        pools=pools,
        free=free,
        queued=list(requests.values()),
        running=running,
        jobs=dict(requests),
        down=frozenset(pid for pid, cap in capacity.items() if not cap.usable),
        engine_of=counted,
        engine_free=engine_free,
    )
    rules = parts.config.rules(now)
    return Round(queued, requests, pools, rules, engine_of, parts.schedule(state, now, parts.policy, rules))


def commit_all(parts: Parts, round_: Round, capacity: Mapping[str, CapacityReport], now: float) -> list[str]:
    """Step 5 for every placement, in the scheduler's order (`tender.placement.commit.commit_round`, the
    simulator's committer too); the ids of the jobs placed."""
    return list(commit_round(round_.result, _Committer(parts, round_, capacity, now)).placed)


@dataclass(frozen=True)
class _Committer:
    """The runtime's `tender.placement.commit.Committer`: SQL and the pool's engine."""

    parts: Parts
    round_: Round
    capacity: Mapping[str, CapacityReport]
    now: float

    def preempt(self, preemption: Preemption) -> None:
        raise RuntimeError(
            f"the runtime does not preempt ({preemption.job_id}): its policy is not preemptive"
        )

    def place(self, placement: Placement) -> bool:
        pool = self.parts.config.pool(placement.pool_id)
        engine_of = self.round_.engine_of
        mates = frozenset(p for p, e in engine_of.items() if e == engine_of[placement.pool_id])
        devices = self.capacity[placement.pool_id].total_gpus  # device indices 0..total-1 on the engine
        return pool is not None and commit(self.parts, placement, pool, Engine(mates, devices), self.now)


def record_waiting(
    parts: Parts, round_: Round, capacity: Mapping[str, CapacityReport], placed: Sequence[str], now: float
) -> None:
    """Step 6."""
    with parts.store.write() as s:
        for job in round_.queued:
            fresh = job_row(s, job["id"])
            if job["id"] in placed or fresh is None or fresh["state"] != JobState.QUEUED:
                continue
            request = round_.requests[job["id"]]
            verdict = round_.result.verdict(job["id"])
            why = verdicts.waiting(request, verdict, round_.pools, round_.rules, capacity, parts.config)
            text = why.text()
            if why.never:
                job_update(
                    s,
                    job["id"],
                    state=JobState.REJECTED,
                    reason=text,
                    reason_code=why.code,
                    reason_clause=why.clause,
                    updated_at=now,
                )
                data = {"reason": text, "code": why.code, "clause": why.clause}
                Store.event(s, now, job["id"], "rejected", text, data=data)
            elif fresh["reason"] != text:
                job_update(s, job["id"], reason=text, reason_code=why.code, reason_clause=why.clause)


def _request(job: RowMapping) -> JobRequest:
    return verdicts.job_request(
        job["id"],
        job["gpus"],
        job["gpu_types"].split(","),
        job["workload_class"],
        job["workload"],
        job["submitted_at"],
    )


def _devices(parts: Parts, s: Session, pool: PoolConfig, engine: Engine, gpus: int) -> tuple[int, ...] | None:
    """Devices for an attempt on an engine that does not pick them itself (`engines` step 3): () when the
    engine picks (Slurm, Ray) or reports no devices; None when too few are free right now."""
    if parts.backends[pool.id].kind not in TENDER_ASSIGNS_DEVICES or not engine.devices:
        return ()
    return pick_devices(engine.devices, devices_in_use(Store.devices_held(s, engine.pools)), gpus)


def commit(parts: Parts, placement: Placement, pool: PoolConfig, engine: Engine, now: float) -> bool:
    """Step 5 for one placement; False when the job stays queued (moved meanwhile, devices busy, refused)."""
    job_id = placement.job_id
    with parts.store.write() as s:  # record first: a crash after this line is repaired by step 2a
        job = job_row(s, job_id)
        if job is None or job["state"] != JobState.QUEUED:
            return False
        devices = _devices(parts, s, pool, engine, job["gpus"])
        if devices is None:
            return False  # stays queued; the next round sees the engine as it is
        request = _record_attempt(parts, s, job, pool, devices, now)
    try:
        handle = parts.backends[pool.id].submit(request)
    except SubmitRefused as exc:
        with parts.store.write() as s:
            attempt_update(s, request.key, state=AttemptState.REFUSED, reason=exc.reason)
            requeue(s, job_id, now, f"{pool.id} refused: {exc.reason}")
        return False
    with parts.store.write() as s:
        attempt_update(s, request.key, handle=handle, state=AttemptState.ACTIVE)
    return True


def _record_attempt(
    parts: Parts, s: Session, job: RowMapping, pool: PoolConfig, devices: tuple[int, ...], now: float
) -> RunRequest:
    """The attempt as `submitting` with its devices, the job `running`, the placement (or fail-over)
    event; returns what to submit."""
    job_id = job["id"]
    number = job["attempts"] + 1
    key = run_key(parts.instance, job_id, number)
    before = Store.previous_pool(s, job_id, number)
    insert_attempt(
        s,
        key=key,
        job_id=job_id,
        number=number,
        pool_id=pool.id,
        handle=None,
        state=AttemptState.SUBMITTING,
        reason="",
        gpus=job["gpus"],
        created_at=now,
        devices=",".join(map(str, devices)) or None,
    )
    job_update(
        s,
        job_id,
        state=JobState.RUNNING,
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
    visible = {"CUDA_VISIBLE_DEVICES": ",".join(map(str, devices))} if devices else {}
    return RunRequest(
        key=key,
        job_id=job_id,
        attempt=number,
        command=job["command"],
        gpus=job["gpus"],
        env={**json.loads(job["env"]), **visible},
    )
