"""Scorers: rank the pools that passed every checker; `select` takes the best (ties by pool id).

Higher is better. Each scorer is `(job, pool, free, now) -> float`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence

from tender.placement.model import JobRequest, Pool
from tender.placement.policy import Policy, PolicyName

Scorer = Callable[[JobRequest, Pool, int], float]


def fastest(job: JobRequest, pool: Pool, free: int) -> float:
    """fifo_het: the job's throughput on the pool's type; best fit (fewest free GPUs) breaks ties."""
    return job.rate_on(pool) - free * 1e-9


def cheapest(job: JobRequest, pool: Pool, free: int) -> float:
    """cost_het: minus USD per unit of work (price x gang size / throughput)."""
    del free
    rate = job.rate_on(pool)
    return -float(pool.price_per_gpu_hour) * job.gpus / rate if rate > 0 else float("-inf")


def random_scores(pools: Sequence[Pool], policy: Policy, now: float, job: JobRequest) -> dict[str, float]:
    """fifo (heterogeneity-agnostic): a seeded random order, reproducible from (seed, now, job)."""
    rng = random.Random(f"{policy.seed}:{now!r}:{job.id}")
    return {pool.id: rng.random() for pool in pools}


def select(
    job: JobRequest, candidates: Sequence[Pool], free: Mapping[str, int], policy: Policy, now: float
) -> Pool | None:
    """Best candidate by the policy's scorer; ties broken by pool id."""
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    ordered = sorted(candidates, key=lambda p: p.id)  # `max` keeps the first best: smallest id wins ties
    if policy.name is PolicyName.FIFO:
        scores = random_scores(ordered, policy, now, job)
        return max(ordered, key=lambda p: scores[p.id])
    scorer: Scorer = cheapest if policy.name is PolicyName.COST_HET else fastest
    return max(ordered, key=lambda p: scorer(job, p, free[p.id]))
