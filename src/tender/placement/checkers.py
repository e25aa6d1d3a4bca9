"""Feasibility checkers: small functions `(job, pool) -> Verdict`, run as a chain.

Static checkers depend only on the job and the pool (type, size, region, contracts); dynamic ones
on the moment (outage, free GPUs). The first "no" in the chain is the pool's verdict. `explain`
folds per-pool verdicts into one verdict for the job, counting rejections by reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from tender.placement.eligibility import Eligibility
from tender.placement.model import OK, STATIC_REASONS, ClusterState, JobRequest, Pool, Reason, Verdict, no

Checker = Callable[[JobRequest, Pool], Verdict]


def check_gpu_type(job: JobRequest, pool: Pool) -> Verdict:
    if job.gpu_types and pool.gpu not in job.gpu_types:
        return no(Reason.GPU_TYPE, f"{pool.gpu} not in {','.join(sorted(job.gpu_types))}")
    if job.rate_on(pool) <= 0.0:
        return no(Reason.GPU_TYPE, f"no throughput on {pool.gpu}")
    return OK


def check_gang(job: JobRequest, pool: Pool) -> Verdict:
    if job.gpus > pool.count:
        return no(Reason.GANG, f"needs {job.gpus} GPUs on one pool; {pool.id} has {pool.count}")
    return OK


def check_region(job: JobRequest, pool: Pool) -> Verdict:
    if job.regions and pool.region not in job.regions:
        return no(Reason.RESIDENCY, f"region {pool.region} not allowed")
    return OK


STATIC_CHAIN: tuple[Checker, ...] = (check_gpu_type, check_gang, check_region)


def static_verdict(job: JobRequest, pool: Pool, eligibility: Eligibility) -> Verdict:
    """Chain: gpu type -> gang size -> region constraint -> contract eligibility."""
    for checker in STATIC_CHAIN:
        verdict = checker(job, pool)
        if not verdict.ok:
            return verdict
    return eligibility(job, pool)


def dynamic_verdict(job: JobRequest, pool: Pool, state: ClusterState, free: int) -> Verdict:
    """Chain: outage -> free capacity (`free` is the GPUs still free in this round's tentative plan)."""
    if pool.id in state.down:
        return no(Reason.OUTAGE, f"{pool.id} is down")
    if free < job.gpus:
        return no(Reason.CAPACITY, f"{pool.id} has {free} free, needs {job.gpus}")
    return OK


@dataclass(frozen=True)
class Feasible:
    """The pools a job may use at all, and the static rejections of the others."""

    pools: tuple[Pool, ...]
    rejected: tuple[Verdict, ...]


def feasible_pools(job: JobRequest, pools: Sequence[Pool], eligibility: Eligibility) -> Feasible:
    ok: list[Pool] = []
    rejected: list[Verdict] = []
    for pool in pools:
        verdict = static_verdict(job, pool, eligibility)
        if verdict.ok:
            ok.append(pool)
        else:
            rejected.append(verdict)
    return Feasible(tuple(ok), tuple(rejected))


def feasible_in(job: JobRequest, state: ClusterState, eligibility: Eligibility) -> Feasible:
    """`feasible_pools` over `state.pools`, from `state.static` when the caller cached it."""
    cached = state.static.get(job.id)
    if cached is not None:
        return Feasible(cached, ())
    return feasible_pools(job, state.pools, eligibility)


def explain(verdicts: Iterable[Verdict]) -> Verdict:
    """One verdict for a job from its per-pool "no"s (nomad-style: count by reason)."""
    collected = list(verdicts)
    if not collected:
        return no(Reason.NO_POOL_FITS, "no pools")
    counts = Counter(v.reason for v in collected if v.reason is not None)
    dynamic = [v for v in collected if v.reason not in STATIC_REASONS]
    if dynamic:  # some pool could take it later: the best dynamic reason wins
        for reason in (Reason.DEADLINE, Reason.CAPACITY, Reason.OUTAGE):
            for v in dynamic:
                if v.reason is reason:
                    return v
        return dynamic[0]
    if len(counts) == 1:
        return collected[0]
    summary = ", ".join(f"{reason}={n}" for reason, n in sorted(counts.items()))
    return no(Reason.NO_POOL_FITS, f"every pool rejects it ({summary})")


def admit(job: JobRequest, pools: Sequence[Pool], eligibility: Eligibility) -> Verdict:
    """Static admission: OK if some pool could ever run the job, else why not."""
    feasible = feasible_pools(job, pools, eligibility)
    if feasible.pools:
        return OK
    return explain(feasible.rejected)
