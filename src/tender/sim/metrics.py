"""Metrics of one replay: JCT and queueing percentiles, utilization, GPU-hours, cost, fairness.

Everything here is a function of the `Outcome`; no wall-clock value enters (the CLI adds
`wall_seconds` on its own). Floats are rounded to 6 places and money to cents, keys sorted by the
JSON writer, so equal inputs give byte-identical JSON.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from typing import Any

from tender.domain.money import cents
from tender.placement import Pool
from tender.sim.runs import JobRun, Outcome

HOUR = 3600.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of sorted `values`; 0 for none."""
    if not values:
        return 0.0
    rank = max(1, math.ceil(q / 100.0 * len(values)))
    return values[min(rank, len(values)) - 1]


def r6(value: float) -> float:
    return round(value, 6)


def money(amount: Decimal) -> str:
    return str(cents(amount))


def gpu_hours_cost(pool: Pool, gpu_seconds: float) -> Decimal:
    return pool.price_per_gpu_hour * Decimal(repr(round(gpu_seconds, 3))) / Decimal(3600)


def summarize(
    outcome: Outcome,
    pools: Sequence[Pool],
    *,
    measured: Iterable[str] | None = None,
) -> dict[str, Any]:
    """The deterministic part of `--json` (see docs/simulate.md for every key)."""
    runs = outcome.runs
    failed = frozenset(outcome.failed)
    # The order of `ids` and `done` is immaterial: the lists below are sorted, the means are `fsum`.
    ids: Collection[str] = runs.keys() if measured is None else [i for i in measured if i in runs]
    done = [
        r for r in (runs.values() if measured is None else (runs[i] for i in ids)) if r.finish is not None
    ]
    jct, queue, fairness = _job_times(done)
    first, last, preemptions, failovers = _extent(runs.values())
    span = max(last - first, 1e-9)
    by_pool, by_provider, total_cost = _pool_costs(outcome, pools, span)
    capacity = sum(p.count for p in pools)
    used = sum(outcome.gpu_seconds.values())
    return {
        "jobs_total": len(runs),
        "jobs_measured": len(ids),
        "jobs_completed": len(done),
        "jobs_rejected": len(outcome.rejected),
        "jobs_unfinished": len(ids) - len(done) - sum(1 for i in ids if i in outcome.rejected or i in failed),
        "avg_jct_hours": r6(_mean(jct) / HOUR),
        "median_jct_hours": r6(percentile(jct, 50) / HOUR),
        "p99_jct_hours": r6(percentile(jct, 99) / HOUR),
        "avg_queue_hours": r6(_mean(queue) / HOUR),
        "median_queue_hours": r6(percentile(queue, 50) / HOUR),
        "p99_queue_hours": r6(percentile(queue, 99) / HOUR),
        "makespan_hours": r6(span / HOUR),
        "finish_time_fairness": {
            "avg": r6(_mean(fairness)),
            "p99": r6(percentile(fairness, 99)),
            "max": r6(fairness[-1] if fairness else 0.0),
        },
        "utilization": r6(used / (capacity * span)) if capacity else 0.0,
        "gpu_hours": r6(used / HOUR),
        "cost_usd": money(total_cost),
        "cost_by_provider_usd": {k: money(v) for k, v in sorted(by_provider.items())},
        "pools": by_pool,
        "preemptions": preemptions,
        "failovers": failovers,
        "events_processed": outcome.events,
        "decisions": outcome.decisions,
        "lp_solves": outcome.lp_solves,
        "rejected": [
            {"job_id": job_id, "reason": str(v.reason), "detail": v.detail}
            | ({"clause": v.clause} if v.clause else {})
            for job_id, v in sorted(outcome.rejected.items())
        ][:100],
        "rejected_by_reason": dict(sorted(Counter(str(v.reason) for v in outcome.rejected.values()).items())),
    } | ({"jobs_failed": sum(1 for i in ids if i in failed)} if failed else {})


def _pool_costs(
    outcome: Outcome, pools: Sequence[Pool], span: float
) -> tuple[dict[str, Any], dict[str, Decimal], Decimal]:
    """Per pool its use and cost; per provider its cost; the total (exact cents)."""
    by_pool: dict[str, Any] = {}
    by_provider: dict[str, Decimal] = {}
    total_cost = Decimal(0)
    for pool in sorted(pools, key=lambda p: p.id):
        seconds = outcome.gpu_seconds.get(pool.id, 0.0)
        cost = gpu_hours_cost(pool, seconds)
        total_cost += cost
        by_provider[pool.provider] = by_provider.get(pool.provider, Decimal(0)) + cost
        by_pool[pool.id] = {
            "provider": pool.provider,
            "region": pool.region,
            "gpu": pool.gpu,
            "gpus": pool.count,
            "gpu_hours": r6(seconds / HOUR),
            "utilization": r6(seconds / (pool.count * span)),
            "cost_usd": money(cost),
        }
    return by_pool, by_provider, total_cost


def _job_times(done: Sequence[JobRun]) -> tuple[list[float], list[float], list[float]]:
    """JCT, queueing time and finish-time fairness of finished jobs, each sorted (one pass; fairness is Themis'
    finish-time fairness: JCT / isolated run time on the job's fastest type)."""
    jct: list[float] = []
    queue: list[float] = []
    fairness: list[float] = []
    for run in done:
        job = run.job
        assert run.finish is not None
        arrival = job.arrival
        took = run.finish - arrival
        jct.append(took)
        queue.append((run.first_start if run.first_start is not None else arrival) - arrival)
        best = max(job.throughput.values(), default=1.0) if job.throughput else 1.0
        isolated = job.work / best if best > 0 else 0.0
        fairness.append(took / isolated if isolated > 0 else 1.0)
    jct.sort()
    queue.sort()
    fairness.sort()
    return jct, queue, fairness


def _extent(runs: Iterable[JobRun]) -> tuple[float, float, int, int]:
    """First arrival (0 for none), last finish (the first arrival if none), preemptions, failovers."""
    first: float | None = None
    last: float | None = None
    preemptions = failovers = 0
    for run in runs:
        arrival, finish = run.job.arrival, run.finish
        if first is None or arrival < first:
            first = arrival
        if finish is not None and (last is None or finish > last):
            last = finish
        preemptions += run.preemptions
        failovers += run.failovers
    start = first if first is not None else 0.0
    return start, last if last is not None else start, preemptions, failovers


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values) if values else 0.0


def _jct(run: JobRun) -> float:
    assert run.finish is not None
    return run.finish - run.job.arrival


def jct_cdf(outcome: Outcome, points: int = 100) -> list[tuple[float, float]]:
    """(JCT hours, fraction of completed jobs) at `points` evenly spaced quantiles."""
    jct = sorted(_jct(r) for r in outcome.runs.values() if r.finish is not None)
    if not jct:
        return []
    return [(r6(percentile(jct, 100.0 * k / points) / HOUR), k / points) for k in range(1, points + 1)]


def timeline(outcome: Outcome, points: int = 200) -> list[tuple[float, int, int]]:
    """(hours, busy GPUs, queued jobs) sampled at `points` even instants (step function)."""
    samples = outcome.timeline
    if not samples:
        return []
    start, end = samples[0][0], samples[-1][0]
    step = (end - start) / points if end > start else 1.0
    out: list[tuple[float, int, int]] = []
    k = 0
    for i in range(points + 1):
        t = start + i * step
        while k + 1 < len(samples) and samples[k + 1][0] <= t:
            k += 1
        out.append((r6(t / HOUR), samples[k][1], samples[k][2]))
    return out
