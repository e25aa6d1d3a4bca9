"""Gavel 1f6f02e's round mechanism (compat mode): reset cadence, per-type priorities, greedy rounds.

Follows `scheduler/scheduler.py` of that commit (`_update_priorities`, `_reset_time_run_so_far`,
`_schedule_jobs_on_workers_helper`), driving the same feasibility chain and selection/proposal
steps as `las.py`:

1. Collect every active job and the pools that are up (as las_het).
2. Reset or keep the allocation: it is recomputed only when the job set changed since the last reset
   and `reset_seconds` have passed since it (or no reset has happened after time 0). A reset also
   restarts every job's time-on-type at `initial_credit` and adds to the deficits
   (share x elapsed - time received). Jobs that arrive after a reset have no allocation until the next.
3. Allocation by policy: fifo -> `gavel_fifo.fifo_base` (the copied bug), fifo_het ->
   `gavel_fifo.fifo_perf` (from scratch), las_het -> the max-min LP weighted by gang size.
4. Priorities per type: share / (job's time on the type / the type's time since the reset), share x 1e9
   when the type has no time yet, 0 without a share. Types in Gavel's order (v100, p100, k80, then
   others by name); within a type, (priority, deficit, share) descending, ties by arrival.
5. Select in that order: a job is placed on the first type with room; FIFO policies skip priority 0.
   A job that arrived after the last reset (no allocation; las_het) is selected like any other, with
   priority 0, and then not run: Gavel's `_schedule_jobs_on_workers` skips jobs missing from the
   allocation after its helper counted their GPUs, so those GPUs stay idle for the round.
6. Propose preemptions and placements as las_het does.

Gavel's fifo (base mode) also shuffles the type order each round; with one allotted type per job
and priority-0 entries skipped, the order cannot change a FIFO round, so it is not reproduced.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial

from tender.placement.eligibility import Eligibility
from tender.placement.fairness_lp import FairnessInput, solve_max_min
from tender.placement.gavel_fifo import fifo_base, fifo_perf
from tender.placement.las import collect, pick_pool, propose
from tender.placement.model import (
    Allocation,
    ClusterState,
    GavelClock,
    GavelState,
    JobRequest,
    Pool,
    RoundResult,
)
from tender.placement.policy import GavelCompat, Policy, PolicyName

GAVEL_TYPE_ORDER = ("v100", "p100", "k80")
UNSERVED = 1e9  # Gavel: "don't use inf so 2*new_priority > new_priority"


def gavel_round(state: ClusterState, now: float, policy: Policy, eligibility: Eligibility) -> RoundResult:
    assert policy.compat is not None
    compat = policy.compat
    # 1. Collect.
    active, up, usable, verdicts = collect(state, eligibility)
    capacity: dict[str, int] = {}
    for pool in up:
        capacity[pool.gpu] = capacity.get(pool.gpu, 0) + pool.count
    fifo_family = policy.name is not PolicyName.LAS_HET
    # 2-3. Reset (new allocation) or keep the last one.
    allocation = state.allocation
    rates: Mapping[str, Mapping[str, float]] = {}
    job_ids = frozenset(usable)
    assert state.gavel_clock is not None, "compat rounds need the caller's GavelClock (sim.micro_tasks)"
    asked = state.gavel_clock.update_asked
    reset = _reset_due(allocation, job_ids, now, compat, asked)
    if reset or not fifo_family:
        rates = _rates(active, usable, allocation, state)
    if reset:
        allocation = _reset(state, active, usable, rates, capacity, now, policy)
    assert allocation is not None and allocation.gavel is not None
    clock: GavelClock | Callable[[], GavelClock] = state.gavel_clock
    if reset:  # the caller restarts its counters after this round (built only if a ranking reads it)
        clock = partial(fresh_clock, allocation.gavel.credited_jobs, usable, capacity, compat.initial_credit)
    # 4-5. Priorities per type, in Gavel's type order, and the greedy selection.
    chosen = _select(state, active, up, usable, rates, allocation, capacity, clock, fifo_family)
    # 6. Propose.
    result = propose(active, chosen, state, verdicts, allocation)
    if fifo_family:
        until = _stable_until(allocation, job_ids, capacity, active, chosen, compat, asked)
        return replace(result, stable_until=until)
    return result


def _select(
    state: ClusterState,
    active: Sequence[JobRequest],
    up: Sequence[Pool],
    usable: Mapping[str, Sequence[Pool]],
    rates: Mapping[str, Mapping[str, float]],
    allocation: Allocation,
    capacity: Mapping[str, int],
    clock: GavelClock | Callable[[], GavelClock],
    fifo_family: bool,
) -> dict[str, Pool]:
    """Steps 4-5: each type's queue by priority, then Gavel's greedy over the per-type queues
    (`clock`, or a function that builds it, is read only where a type's queue must be ranked)."""
    chosen: dict[str, Pool] = {}
    left = dict(capacity)
    free = {pool.id: pool.count for pool in up}
    pools_of = {gpu: [pool for pool in up if pool.gpu == gpu] for gpu in capacity}
    idle: set[str] = set()  # selected without an allocation: their GPUs stay idle this round
    for gpu in _type_order(capacity):
        candidates = _candidates(active, usable, rates, allocation, gpu, state, fifo_family)
        if not candidates:
            continue
        if fifo_family and len(pools_of[gpu]) == 1 and sum(j.gpus for j in candidates) <= left[gpu]:
            # Not over-booked: every allotted job has a priority > 0 and fits, in any order.
            for job in candidates:
                chosen[job.id] = pools_of[gpu][0]
            left[gpu] -= sum(j.gpus for j in candidates)
            continue
        if callable(clock):
            clock = clock()
        for job, priority in _ranked(candidates, allocation, gpu, clock):
            if left[gpu] == 0:
                break
            taken = job.id in chosen or job.id in idle
            if taken or (fifo_family and priority <= 0.0) or job.gpus > left[gpu]:
                continue
            target = pick_pool(job, gpu, usable[job.id], free, state.running.get(job.id))
            if target is not None:
                free[target.id] -= job.gpus
                left[gpu] -= job.gpus
                if job.id in allocation.job_ids:
                    chosen[job.id] = target
                else:
                    idle.add(job.id)  # Gavel selects it, then never assigns it (no allocation)
    return chosen


def _stable_until(
    allocation: Allocation,
    job_ids: frozenset[str],
    capacity: Mapping[str, int],
    active: Sequence[JobRequest],
    chosen: Mapping[str, Pool],
    compat: GavelCompat,
    asked: bool,
) -> float | None:
    """FIFO rounds run every allotted job while no type is over-booked, whatever the priorities, so
    until the job set changes or a pending reset falls due, later rounds repeat this one."""
    assert allocation.gavel is not None
    booked: dict[str, int] = {}
    gpus = {job.id: job.gpus for job in active}
    for _, job_id, gpu in allocation.gavel.fifo:
        if job_id in job_ids:
            if job_id not in chosen:
                return None
            booked[gpu] = booked.get(gpu, 0) + gpus[job_id]
    if any(n > capacity.get(gpu, 0) for gpu, n in booked.items()):
        return None  # over-booked (Gavel's fifo bug): jobs time-share, rounds differ
    if allocation.job_ids == job_ids and not asked:
        return math.inf
    if allocation.gavel.reset_at == 0.0:
        return None  # a reset is due at the next round
    return allocation.gavel.reset_at + compat.reset_seconds


def _reset_due(
    allocation: Allocation | None, job_ids: frozenset[str], now: float, compat: GavelCompat, asked: bool
) -> bool:
    if allocation is None or allocation.gavel is None:
        return True
    if allocation.job_ids == job_ids and not asked:
        return False  # Gavel's _need_to_update_allocation: arrivals, departures, failed tasks
    last = allocation.gavel.reset_at
    return last == 0.0 or now - last >= compat.reset_seconds


def _reset(
    state: ClusterState,
    active: Sequence[JobRequest],
    usable: Mapping[str, Sequence[Pool]],
    rates: Mapping[str, Mapping[str, float]],
    capacity: Mapping[str, int],
    now: float,
    policy: Policy,
) -> Allocation:
    assert policy.compat is not None
    compat = policy.compat
    runnable = [job for job in active if job.id in usable]
    previous = state.allocation.gavel if state.allocation is not None else None
    deficits = _deficits(state, runnable, capacity, now, compat.initial_credit)
    fifo: tuple[tuple[float, str, str], ...] = ()
    rng_state: object = None
    if policy.name is PolicyName.LAS_HET:
        data = FairnessInput(
            job_ids=[job.id for job in runnable],
            gpus={job.id: job.gpus for job in runnable},
            weights={job.id: job.weight for job in runnable},
            rates=rates,
            capacity=dict(capacity),
            gavel=True,
        )
        fractions: dict[str, dict[str, float]] = solve_max_min(data)
    else:
        if policy.name is PolicyName.FIFO:
            prior = previous.fifo if previous is not None else ()
            state_in = previous.rng_state if previous is not None else None
            choice = fifo_base(runnable, rates, capacity, prior, state_in, compat.fifo_seed)
        else:
            choice = fifo_perf(runnable, rates, capacity)
        fifo, rng_state = choice.assigned, choice.rng_state
        fractions = {job.id: {} for job in runnable}
        for _, job_id, gpu in fifo:
            fractions[job_id] = {gpu: 1.0}
    gavel = GavelState(
        reset_at=now,
        credited_jobs=len(runnable),
        deficits=deficits,
        fifo=fifo,
        rng_state=rng_state,
        rates=rates if not state.down else {},
    )
    capacity_key = tuple(sorted(capacity.items()))
    return Allocation(frozenset(usable), capacity_key, fractions, gavel=gavel)


def fresh_clock(jobs: int, job_ids: Iterable[str], types: Iterable[str], credit: float) -> GavelClock:
    """Gavel's counters right after a reset (`_reset_time_run_so_far`): every job `credit` on
    every type, each type `jobs` x `credit`."""
    kinds = sorted(types)
    return GavelClock(
        {job_id: dict.fromkeys(kinds, credit) for job_id in job_ids}, dict.fromkeys(kinds, jobs * credit)
    )


def _deficits(
    state: ClusterState,
    runnable: Sequence[JobRequest],
    capacity: Mapping[str, int],
    now: float,
    credit: float,
) -> dict[str, dict[str, float]]:
    """Gavel's `_reset_time_run_so_far`: deficit += share x elapsed - time received since the reset
    (with the caller's `GavelClock`, in Gavel's own float operations)."""
    previous = state.allocation
    out: dict[str, dict[str, float]] = {gpu: {} for gpu in capacity}
    if previous is None or previous.gavel is None:
        return out
    elapsed = now - previous.gavel.reset_at
    old = previous.gavel.deficits
    empty: Mapping[str, float] = {}
    clock = state.gavel_clock
    assert clock is not None
    for job in runnable:
        times = clock.job_time.get(job.id, empty)
        shares = previous.fractions.get(job.id, empty) if job.id in previous.job_ids else empty
        for gpu in capacity:
            received = times[gpu] - credit if gpu in times else 0.0
            before = old[gpu].get(job.id, 0.0) if gpu in old else 0.0
            out[gpu][job.id] = before + (shares.get(gpu, 0.0) * elapsed - received)
    return out


def _rates_of(job: JobRequest, pools: Sequence[Pool]) -> dict[str, float]:
    return {pool.gpu: job.rate_on(pool) for pool in pools}


def _rates(
    active: Sequence[JobRequest],
    usable: Mapping[str, Sequence[Pool]],
    allocation: Allocation | None,
    state: ClusterState,
) -> Mapping[str, Mapping[str, float]]:
    """Each usable job's rate per type. A job's rates depend only on its pools, so while every pool
    is up they are taken from the last reset's table and computed only for jobs that came since."""
    known = allocation.gavel.rates if allocation is not None and allocation.gavel is not None else {}
    if state.down or not known:
        return {job.id: _rates_of(job, usable[job.id]) for job in active if job.id in usable}
    out: dict[str, Mapping[str, float]] = {}
    for job in active:
        if job.id in usable:
            found = known.get(job.id)
            out[job.id] = found if found is not None else _rates_of(job, usable[job.id])
    return out


def _candidates(
    active: Sequence[JobRequest],
    usable: Mapping[str, Sequence[Pool]],
    rates: Mapping[str, Mapping[str, float]],
    allocation: Allocation,
    gpu: str,
    state: ClusterState,
    fifo_family: bool,
) -> list[JobRequest]:
    """The jobs that may run on `gpu` this round, oldest first. FIFO policies never run a job
    without a share, so only the jobs allotted `gpu` (allotted only where they run) are listed."""
    if fifo_family:
        assert allocation.gavel is not None
        return [state.jobs[job_id] for _, job_id, t in allocation.gavel.fifo if t == gpu and job_id in usable]
    return [job for job in active if job.id in usable and rates[job.id].get(gpu, 0.0) > 0.0]


def _ranked(
    candidates: Sequence[JobRequest], allocation: Allocation, gpu: str, clock: GavelClock
) -> list[tuple[JobRequest, float]]:
    """Gavel's per-type queue, from the caller's counters, as Gavel's `_update_priorities` computes it:
    (priority, deficit, share) descending, ties in arrival order (the candidates' order), as Gavel's
    insertion-ordered priority dicts keep them. fraction = job time / type time (0 when the type has
    no time), priority = share / fraction, share x 1e9 when the fraction is 0, 0 without a share."""
    gavel = allocation.gavel
    assert gavel is not None
    type_time = clock.type_time.get(gpu, 0.0)
    deficits = gavel.deficits.get(gpu, {})
    fractions, in_allocation, job_time = allocation.fractions, allocation.job_ids, clock.job_time
    keyed: list[tuple[float, float, float, int]] = []
    empty: Mapping[str, float] = {}
    for index, job in enumerate(candidates):
        job_id = job.id
        share = fractions.get(job_id, empty).get(gpu, 0.0) if job_id in in_allocation else 0.0
        priority = 0.0
        if share > 0.0:
            times = job_time.get(job_id, empty)
            fraction = times[gpu] / type_time if type_time != 0.0 and gpu in times else 0.0
            priority = share / fraction if fraction > 0.0 else share * UNSERVED
        # Negated keys sort descending; the index keeps the sort stable and never compares jobs.
        keyed.append((-priority, -deficits.get(job_id, 0.0), -share, index))
    keyed.sort()
    return [(candidates[k[3]], -k[0]) for k in keyed]


def _type_order(capacity: Mapping[str, int]) -> list[str]:
    known = [gpu for gpu in GAVEL_TYPE_ORDER if gpu in capacity]
    return known + sorted(gpu for gpu in capacity if gpu not in GAVEL_TYPE_ORDER)
