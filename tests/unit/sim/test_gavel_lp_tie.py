"""The multi-GPU las_het 2.7 divergence starts as an LP tie (bench/README.md, "Tracing the multi-GPU
las_het 2.7 miss"). Gavel 1f6f02e and Tender reset the allocation at the same times with the same
jobs; at the second reset (t = 719.996 s) the jobs are 0, an 8-GPU ResNet-18 (batch size 64), and 1,
a 1-GPU Transformer (batch size 16), on 36 GPUs of each type.

Worked out by hand from Gavel's objective (`policies/max_min_fairness.py`: a[j,t] = gang x rate[j,t]
/ rate under the type-proportional share, which is the mean of the job's three rates here since the
types are equal in size): job 1 can at best run all the time on its fastest type, a V100, so the
max-min value is z* = 3 x v / (k + p + v) of job 1's rates, and job 0 (which needs only 8 of 36 GPUs
of any type) has room to spare: every allocation that gives job 1 its V100 and job 0 at least z*
is optimal. Gavel's ECOS stopped at one point of that plateau (copied below from the trace of an
instrumented copy of Gavel 1f6f02e's scheduler, `bench/gavel_trace.py`), HiGHS's interior point at
another; the test checks both against z* and the constraints, independently of either solver.
"""

from __future__ import annotations

from tender.placement.fairness_lp import FairnessInput, solve_max_min
from tender.sim.gavel import throughputs

TYPES = ("k80", "p100", "v100")
CAPACITY = dict.fromkeys(TYPES, 36)
JOBS = {"0": (("ResNet-18 (batch size 64)", 8)), "1": ("Transformer (batch size 16)", 1)}
# Gavel 1f6f02e (ECOS), multi-GPU max_min_fairness_perf at 2.7 jobs/h, seed 0: its allocation at
# t = 719.9961682649285 s, as its `_compute_allocation` returned it (clipped to [0, 1]).
GAVEL_ECOS = {
    "0": {"k80": 0.056698424141297596, "p100": 0.24782025166188057, "v100": 0.5576769938280097},
    "1": {"k80": 0.0, "p100": 1.5974442127671331e-10, "v100": 0.9999999998472594},
}


def rates(job: str) -> dict[str, float]:
    return dict(throughputs()[JOBS[job]])


def normalised(job: str, shares: dict[str, float]) -> float:
    """Gavel's objective term for one job, by hand: gang x sum_t rate x share / mean rate."""
    r = rates(job)
    gang = JOBS[job][1]
    return gang * sum(r[t] * shares.get(t, 0.0) for t in TYPES) / (sum(r.values()) / len(TYPES))


def worst_violation(alloc: dict[str, dict[str, float]]) -> float:
    per_job = max(sum(s.values()) - 1.0 for s in alloc.values())
    per_type = max(sum(JOBS[j][1] * alloc[j].get(t, 0.0) for j in alloc) - CAPACITY[t] for t in TYPES)
    negative = max(-v for s in alloc.values() for v in s.values())
    return max(per_job, per_type, negative, 0.0)


def test_both_allocations_are_optimal_and_they_differ() -> None:
    one = rates("1")
    z_star = 3 * one["v100"] / (one["k80"] + one["p100"] + one["v100"])
    assert one["v100"] == max(one.values())
    data = FairnessInput(
        job_ids=["0", "1"],
        gpus={job: JOBS[job][1] for job in JOBS},
        weights={"0": 1.0, "1": 1.0},
        rates={job: rates(job) for job in JOBS},
        capacity=CAPACITY,
        gavel=True,
    )
    highs = solve_max_min(data)
    for alloc in (GAVEL_ECOS, highs):
        assert worst_violation(alloc) < 1e-9
        z = min(normalised(job, alloc[job]) for job in JOBS)
        assert abs(z - z_star) < 1e-8 * z_star  # optimal: no allocation beats job 1's full V100
        assert abs(normalised("1", alloc["1"]) - z_star) < 1e-8 * z_star
        assert normalised("0", alloc["0"]) > 3 * z_star  # job 0 sits far off the binding row (4.4 and 10.0 x)
    # A plateau: the two optimal points give job 0 V100 shares more than 0.3 apart (0.558 vs 0.214
    # when measured), which is what later rounds' priorities (share / fraction received) inherit.
    assert abs(GAVEL_ECOS["0"]["v100"] - highs["0"].get("v100", 0.0)) > 0.3
