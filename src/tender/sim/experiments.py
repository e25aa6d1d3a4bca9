"""Ready-made replays for the CLI and the benchmarks: a trace on pools, and Gavel's experiment."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tender.placement import Eligibility, GavelCompat, JobRequest, Policy, PolicyName, Pool, allow_all
from tender.sim.faults import Fault
from tender.sim.gavel import GavelWorkload, gavel_pools, job_id, job_table
from tender.sim.metrics import summarize
from tender.sim.runner import replay
from tender.sim.runs import Outcome

GAVEL_ROUND_S = 360.0


@dataclass(frozen=True)
class Result:
    summary: dict[str, Any]
    outcome: Outcome
    pools: tuple[Pool, ...]


def run_trace(
    jobs: Sequence[JobRequest],
    pools: Sequence[Pool],
    policy: Policy,
    *,
    eligibility: Eligibility = allow_all,
    faults: Sequence[Fault] = (),
    progress: Callable[[int], None] | None = None,
) -> Result:
    outcome = replay(jobs, pools, policy, eligibility=eligibility, faults=faults, progress=progress)
    summary = summarize(outcome, pools)
    summary["policy"] = str(policy.name)
    return Result(summary, outcome, tuple(pools))


def run_gavel(
    cluster: Mapping[str, int],
    rate_per_hour: float,
    policy_name: PolicyName,
    *,
    seed: int = 0,
    measure: tuple[int, int] = (4000, 5000),
    multi_gpu: bool = False,
    restore_seconds: float = 0.0,
    max_hours: float | None = None,
    progress: Callable[[int], None] | None = None,
    compat: str | None = None,
) -> Result:
    """Gavel's continuous-arrival experiment: 360 s rounds; average JCT of jobs measure[0]..measure[1]-1."""
    gavel = GavelCompat(fifo_seed=seed) if compat is not None else None
    policy = Policy(
        policy_name, round_seconds=GAVEL_ROUND_S, restore_seconds=restore_seconds, seed=seed, compat=gavel
    )
    pools = gavel_pools(cluster)
    job_table(compat)  # an unknown commit fails here, before the run
    if compat is not None and policy_name is PolicyName.COST_HET:
        raise ValueError("Gavel compat has no cost_het")
    watch = frozenset(job_id(i) for i in range(*measure))
    workload = GavelWorkload(rate_per_hour, seed, multi_gpu, compat)
    until = max_hours * 3600.0 if max_hours is not None else None
    outcome = replay(workload.jobs(), pools, policy, watch=watch, progress=progress, until=until)
    summary = summarize(outcome, pools, measured=watch)
    summary.update(
        policy=str(policy_name),
        rate_jobs_per_hour=rate_per_hour,
        seed=seed,
        multi_gpu=multi_gpu,
        measure=[measure[0], measure[1]],
        cluster=dict(sorted(cluster.items())),
        max_hours=max_hours,
    )
    if compat is not None:
        summary["compat"] = compat
    return Result(summary, outcome, pools)


def silence_highs_banner() -> None:
    """HiGHS prints a banner on stdout when the first solver is built; build one with stdout muted."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
