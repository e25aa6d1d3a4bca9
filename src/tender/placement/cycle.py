"""One scheduling cycle: `schedule_round(state, now, policy, eligibility) -> RoundResult`.

The cycle proposes; the caller commits (applies preemptions, then placements) against fresh state.
Non-preemptive policies (fifo, fifo_het, cost_het) run `greedy_round`; las_het runs
`tender.placement.las.las_round`; with `Policy.compat` set (Gavel 1f6f02e reproduction) every policy
runs `tender.placement.gavel_round.gavel_round`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tender.placement.checkers import dynamic_verdict, explain, feasible_in, static_verdict
from tender.placement.eligibility import Eligibility, allow_all
from tender.placement.gavel_round import gavel_round
from tender.placement.las import las_round
from tender.placement.model import (
    ClusterState,
    JobRequest,
    Placement,
    Pool,
    Reason,
    RoundResult,
    Verdict,
    no,
)
from tender.placement.policy import Policy, PolicyName
from tender.placement.room import Room
from tender.placement.scorers import select

# Enum members as module constants: `PolicyName.X` on the class costs ~0.13 us a lookup (hot: every round).
_LAS_HET, _COST_HET = PolicyName.LAS_HET, PolicyName.COST_HET


def schedule_round(
    state: ClusterState, now: float, policy: Policy, eligibility: Eligibility = allow_all
) -> RoundResult:
    """Propose placements (and, for las_het, preemptions) for this moment."""
    if policy.compat is not None:
        return gavel_round(state, now, policy, eligibility)
    if policy.name is _LAS_HET:  # = `policy.preemptive` once compat is ruled out
        return las_round(state, now, policy, eligibility)
    return greedy_round(state, now, policy, eligibility)


def greedy_round(state: ClusterState, now: float, policy: Policy, eligibility: Eligibility) -> RoundResult:
    # 1. Collect: the queue in order, and this round's tentative free GPUs per pool that is up (and per
    #    engine, when pools share one: `Room`).
    down, static = state.down, state.static
    pool_free = {pool.id: (0 if pool.id in down else state.free.get(pool.id, 0)) for pool in state.pools}
    # Without shared engines the pools' own free GPUs are the whole story: no `Room` needed.
    room = Room.of(state, pool_free, state.engine_free) if state.engine_of else None
    placements: list[Placement] = []
    verdicts: dict[str, Verdict] = {}
    blocked: Verdict | None = None
    for job in state.queued:
        free = room.view() if room is not None else pool_free
        most_free = max(free.values()) if free else 0
        if most_free == 0:
            break  # 2a. Full: every job not yet examined gets `RoundResult.others` (capacity).
        if blocked is not None:  # 2b. Strict FIFO: nobody overtakes a job that waits for capacity.
            verdicts[job.id] = no(Reason.ORDER, f"waits behind {blocked.detail}")
            continue
        if job.gpus > most_free:
            verdicts[job.id] = no(
                Reason.CAPACITY, f"needs {job.gpus} GPUs on one pool; at most {most_free} free"
            )
            blocked = None if policy.backfill else no(Reason.ORDER, job.id)
            continue
        # 3. Feasibility: static chain (type, gang, region, contracts; the caller's cache if it has
        #    one), then outage and capacity (`dynamic_verdict`, asked only for the pools that fail it).
        pools = static.get(job.id)
        if pools is None:
            feasible = feasible_in(job, state, eligibility)
            if not feasible.pools:
                verdicts[job.id] = explain(feasible.rejected)  # can never run here: the caller rejects it
                continue
            pools = feasible.pools
        elif not pools:
            verdicts[job.id] = explain(())
            continue
        rejections: list[Verdict] = []
        candidates: list[Pool] = []
        for pool in pools:
            if pool.id not in down and free[pool.id] >= job.gpus:
                candidates.append(pool)
            else:
                rejections.append(dynamic_verdict(job, pool, state, free[pool.id]))
        if policy.name is _COST_HET:
            candidates = _meet_deadline(job, candidates, state, now, policy, rejections)
        # 4. Score and select.
        chosen = candidates[0] if len(candidates) == 1 else select(job, candidates, free, policy, now)
        if chosen is None:
            verdicts[job.id] = why_waiting(job, state, eligibility, free, pools, explain(rejections))
            if not policy.backfill:
                blocked = no(Reason.ORDER, job.id)
            continue
        # 5. Commit to the tentative plan (the caller commits for real).
        if room is not None:
            room.take(chosen.id, job.gpus)
        else:
            pool_free[chosen.id] -= job.gpus
        placements.append(Placement(job.id, chosen.id, job.gpus))
    return RoundResult(tuple(placements), (), verdicts)


def why_waiting(
    job: JobRequest,
    state: ClusterState,
    eligibility: Eligibility,
    free: Mapping[str, int],
    feasible: Sequence[Pool],
    waiting: Verdict,
) -> Verdict:
    """A job that waits: if a pool with room right now bars it statically (a contract clause, a
    region, a type), say so, naming the clause; else the dynamic reason (`capacity`, `outage`)."""
    usable = {pool.id for pool in feasible}
    for pool in state.pools:
        if pool.id in usable or free.get(pool.id, 0) < job.gpus:
            continue
        barred = static_verdict(job, pool, eligibility)
        if not barred.ok and barred.reason is not None:
            detail = f"{pool.id} has room but {barred.detail}; waits ({waiting.detail})"
            return Verdict(False, barred.reason, detail, barred.clause, waiting=True)
    return waiting


def _meet_deadline(
    job: JobRequest,
    candidates: list[Pool],
    state: ClusterState,
    now: float,
    policy: Policy,
    rejections: list[Verdict],
) -> list[Pool]:
    """cost_het: keep pools that finish before the deadline; if none does, keep the fastest (best effort)."""
    if policy.name is not PolicyName.COST_HET or job.deadline is None or not candidates:
        return candidates
    remaining = state.remaining.get(job.id, job.work)
    meeting = [p for p in candidates if now + remaining / job.rate_on(p) <= job.deadline]
    if meeting:
        for pool in candidates:
            if pool not in meeting:
                rejections.append(no(Reason.DEADLINE, f"{pool.id} would miss the deadline"))
        return meeting
    best = max(job.rate_on(p) for p in candidates)
    return [p for p in candidates if job.rate_on(p) == best]
