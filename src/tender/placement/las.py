"""las_het round: LP time fractions -> per-round priorities -> whole-round gang assignments.

Gavel's round-based mechanism (OSDI 2020, section 5): the LP says job j should spend x[j,t] of its
time on type t; each round, the (job, type) pairs furthest behind their share, x / received, are
served first. Running jobs that lose their slot are preempted (and pay the restore overhead on
their next start, accounted by the caller).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from tender.placement.checkers import explain, feasible_in
from tender.placement.eligibility import Eligibility
from tender.placement.fairness_lp import FairnessInput, solve_max_min
from tender.placement.model import (
    Allocation,
    ClusterState,
    JobRequest,
    Placement,
    Pool,
    Preemption,
    Reason,
    RoundResult,
    RunningJob,
    Verdict,
    no,
)
from tender.placement.policy import Policy
from tender.placement.room import Room


def las_round(state: ClusterState, now: float, policy: Policy, eligibility: Eligibility) -> RoundResult:
    # 1-2. Collect every active job in queue order, pools that are up, and each job's usable pools.
    active, up, usable, verdicts = collect(state, eligibility)
    # 3. Allocation: reuse the last LP answer while the job set and capacity are unchanged.
    capacity = _capacity(up)
    allocation = _allocation(state, active, usable, capacity)
    # 4. Score: priority = share / share received so far (never served = infinite).
    ranked = _ranked_pairs(active, usable, allocation, state.attained, now, policy.round_length)
    # 5. Select whole-round gang slots in priority order, keeping jobs where they already run.
    #    Every slot is reassigned, so a pool offers its whole count and an engine what is free on it
    #    plus what Tender's jobs hold there now.
    room = Room.of(state, {pool.id: pool.count for pool in up}, _engine_budget(state))
    chosen: dict[str, Pool] = {}
    for job, gpu_type in ranked:
        if job.id in chosen:
            continue
        pool = pick_pool(job, gpu_type, usable[job.id], room.view(), state.running.get(job.id))
        if pool is not None:
            chosen[job.id] = pool
            room.take(pool.id, job.gpus)
    # 6. Propose: preempt what moves or loses its slot, place what starts.
    return propose(active, chosen, state, verdicts, allocation)


def collect(
    state: ClusterState, eligibility: Eligibility
) -> tuple[list[JobRequest], list[Pool], dict[str, Sequence[Pool]], dict[str, Verdict]]:
    """Every active job (queued and running) in queue order, the pools that are up, each job's
    usable pools (static chain, then up), and a verdict for each job that has none."""
    active = sorted(state.jobs.values(), key=lambda j: (j.arrival, j.id))
    up = [pool for pool in state.pools if pool.id not in state.down]
    verdicts: dict[str, Verdict] = {}
    usable: dict[str, Sequence[Pool]] = {}
    for job in active:
        cached = state.static.get(job.id)
        if cached and not state.down:
            usable[job.id] = cached  # fast path: the admission cache, every pool up
            continue
        feasible = feasible_in(job, state, eligibility)
        if not feasible.pools:
            verdicts[job.id] = explain(feasible.rejected)
            continue
        pools_up = [p for p in feasible.pools if p.id not in state.down]
        if not pools_up:
            verdicts[job.id] = no(Reason.OUTAGE, "every pool it may use is down")
            continue
        usable[job.id] = tuple(pools_up)
    return active, up, usable, verdicts


def propose(
    active: Sequence[JobRequest],
    chosen: Mapping[str, Pool],
    state: ClusterState,
    verdicts: dict[str, Verdict],
    allocation: Allocation,
) -> RoundResult:
    """Preempt what moves or loses its slot, place what starts, a verdict for what waits."""
    placements: list[Placement] = []
    preemptions: list[Preemption] = []
    for job in active:
        running = state.running.get(job.id)
        target = chosen.get(job.id)
        if running is not None and (target is None or target.id != running.pool_id):
            preemptions.append(Preemption(job.id, running.pool_id, Reason.FAIR_SHARE))
        if target is not None and (running is None or target.id != running.pool_id):
            placements.append(Placement(job.id, target.id, job.gpus))
        if target is None and job.id not in verdicts:
            verdicts[job.id] = no(Reason.FAIR_SHARE, "this round's share went to jobs further behind")
    return RoundResult(tuple(placements), tuple(preemptions), verdicts, allocation)


def _engine_budget(state: ClusterState) -> dict[str, int]:
    budget = dict(state.engine_free)
    for running in state.running.values():
        engine = state.engine_of.get(running.pool_id)
        if engine is not None:
            budget[engine] = budget.get(engine, 0) + running.gpus
    return budget


def _capacity(up: Sequence[Pool]) -> tuple[tuple[str, int], ...]:
    totals: dict[str, int] = {}
    for pool in up:
        totals[pool.gpu] = totals.get(pool.gpu, 0) + pool.count
    return tuple(sorted(totals.items()))


def _allocation(
    state: ClusterState,
    active: Sequence[JobRequest],
    usable: Mapping[str, Sequence[Pool]],
    capacity: tuple[tuple[str, int], ...],
) -> Allocation:
    job_ids = frozenset(usable)
    previous = state.allocation
    if previous is not None and previous.job_ids == job_ids and previous.capacity == capacity:
        return previous
    ids = [job.id for job in active if job.id in usable]
    rates = {
        job.id: {pool.gpu: job.rate_on(pool) for pool in usable[job.id]} for job in active if job.id in usable
    }
    data = FairnessInput(
        job_ids=ids,
        gpus={job.id: job.gpus for job in active},
        weights={job.id: job.weight for job in active},
        rates=rates,
        capacity=dict(capacity),
    )
    return Allocation(job_ids, capacity, solve_max_min(data))


def _ranked_pairs(
    active: Sequence[JobRequest],
    usable: Mapping[str, Sequence[Pool]],
    allocation: Allocation,
    attained: Mapping[str, Mapping[str, float]],
    now: float,
    round_length: float,
) -> list[tuple[JobRequest, str]]:
    keyed: list[tuple[float, float, float, str, str, JobRequest]] = []
    for job in active:
        if job.id not in usable:
            continue
        elapsed = max(now - job.arrival, round_length)
        received = attained.get(job.id, {})
        for gpu_type, share in sorted(allocation.fractions.get(job.id, {}).items()):
            got = received.get(gpu_type, 0.0) / elapsed
            priority = math.inf if got <= 0.0 else share / got
            keyed.append((-priority, -share, job.arrival, job.id, gpu_type, job))
    keyed.sort(key=lambda k: k[:5])
    return [(k[5], k[4]) for k in keyed]


def pick_pool(
    job: JobRequest, gpu_type: str, pools: Sequence[Pool], free: Mapping[str, int], running: RunningJob | None
) -> Pool | None:
    fitting = [p for p in pools if p.gpu == gpu_type and free[p.id] >= job.gpus]
    if not fitting:
        return None
    current = running.pool_id if running is not None else None
    for pool in fitting:
        if pool.id == current:
            return pool
    return min(fitting, key=lambda p: (free[p.id], p.id))  # best fit keeps big holes for big gangs
