"""Every job's path through a replay is unchanged by the replay's speed work (issue 16 item 4).

The digests were computed with main at 752b05f (before the speed pass: a `ClusterState` built anew for
every decision, arrivals through the heap, the core's value types with dataclass-generated
constructors), by running this file's `digest` with `PYTHONPATH` on `git archive 752b05f`'s src/.
A digest covers, per job in id order, the first start, finish, every pool it ran on, preemptions,
failovers and remaining work (floats as `repr`, so exact), every rejection's reason and detail, the
whole (time, busy, queued) timeline, GPU-seconds per pool, and the event, decision and LP-solve
counts. The cases reach the paths the speed work touches: the queue building up on small pools,
outages evicting and re-queueing jobs, strict FIFO (no backfill), round-based greedy decisions,
every job confined to its VC, rejections at admission, las_het's preemptions, and Gavel compat
rounds (micro-tasks, resets) for fifo, fifo_het and las_het.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from functools import cache

import pytest

from tender.placement import GavelCompat, JobRequest, Policy, PolicyName, Pool
from tender.sim.faults import Fault, seeded_faults
from tender.sim.gavel import GavelWorkload
from tender.sim.pools import philly_pools
from tender.sim.runner import replay
from tender.sim.runs import Outcome
from tender.sim.traces import load_trace

SMALL = (
    Pool("fast", "pa", "r1", "fast", 48, Decimal("3.00"), speed=1.5),
    Pool("mid", "pb", "r1", "mid", 64, Decimal("2.00"), speed=1.0),
    Pool("slow", "pc", "r2", "slow", 96, Decimal("0.80"), speed=0.5),
)

COMPAT = {
    "gavel_compat_fifo": PolicyName.FIFO,
    "gavel_compat_fifo_het": PolicyName.FIFO_HET,
    "gavel_compat_las_het": PolicyName.LAS_HET,
}


def digest(outcome: Outcome) -> str:
    runs = [
        [
            job_id,
            repr(run.first_start),
            repr(run.finish),
            list(run.ran_on),
            run.preemptions,
            run.failovers,
            repr(run.remaining),
        ]
        for job_id, run in sorted(outcome.runs.items())
    ]
    rejected = [[job_id, str(v.reason), v.detail] for job_id, v in sorted(outcome.rejected.items())]
    timeline = [[repr(t), busy, queued] for t, busy, queued in outcome.timeline]
    gpu_seconds = [[pool, repr(s)] for pool, s in sorted(outcome.gpu_seconds.items())]
    counts = [outcome.events, outcome.decisions, outcome.lp_solves, repr(outcome.end)]
    text = json.dumps([runs, rejected, timeline, gpu_seconds, counts])
    return hashlib.sha256(text.encode()).hexdigest()


@cache
def _trace(per_vc: bool) -> tuple[JobRequest, ...]:
    return tuple(load_trace(per_vc=per_vc).jobs)


def _faults(pools: tuple[Pool, ...], horizon: float) -> tuple[Fault, ...]:
    return seeded_faults(pools, horizon, seed=7, outages_per_day=0.5, mean_duration_s=7200.0)


def _case(name: str) -> Outcome:
    if name == "philly_fifo_1pool":  # the benchmark's setting on the first 10,000 jobs
        return replay(_trace(False)[:10000], philly_pools(False), Policy(PolicyName.FIFO))
    if name == "philly_fifo_512":  # one pool of 512 GPUs: the queue builds up
        pool = Pool("philly", "philly", "msr", "gpu", 512, Decimal("1.00"))
        return replay(_trace(False)[:4000], (pool,), Policy(PolicyName.FIFO))
    if name == "philly_fifo_per_vc":  # one pool per VC, every job confined (some rejected)
        return replay(_trace(True)[:6000], philly_pools(True), Policy(PolicyName.FIFO))
    jobs_small = _trace(False)[:500]
    horizon = jobs_small[-1].arrival
    if name == "small_fifo_faults":
        return replay(jobs_small, SMALL, Policy(PolicyName.FIFO, seed=3), faults=_faults(SMALL, horizon))
    if name == "small_fifo_het_strict_faults":
        policy = Policy(PolicyName.FIFO_HET, backfill=False, restore_seconds=30.0)
        return replay(jobs_small, SMALL, policy, faults=_faults(SMALL, horizon))
    if name == "small_cost_het_rounds":
        policy = Policy(PolicyName.COST_HET, round_seconds=600.0)
        return replay(jobs_small, SMALL, policy, faults=_faults(SMALL, horizon))
    if name == "small_las_het":
        return replay(jobs_small[:40], SMALL, Policy(PolicyName.LAS_HET, restore_seconds=30.0))
    if name.startswith("gavel_compat_"):  # Gavel 1f6f02e compat: micro-task rounds, resets
        stream = GavelWorkload(6.0, seed=1, multi_gpu=True, compat="1f6f02e").jobs()
        jobs = [next(stream) for _ in range(40)]
        gavel = [Pool(gpu, "gavel", "sim", gpu, 4, Decimal("1.00")) for gpu in ("k80", "p100", "v100")]
        policy = Policy(COMPAT[name], round_seconds=360.0, compat=GavelCompat())
        return replay(jobs, gavel, policy, until=30 * 3600.0)
    raise AssertionError(name)


# case -> sha256 of `digest` at 752b05f (before the speed pass)
BEFORE: dict[str, str] = {
    "philly_fifo_1pool": "7edfb7b3738608654e81e4fe7b902d5e653a08bcf86a6392ec69c42b511961dd",
    "philly_fifo_512": "0193cdd84468176baa65382ce142b655db849e14ee6ec76746bca7d12ec627d4",
    "philly_fifo_per_vc": "d5fa38cb69152462cdef3cd8b79dec41da5ad8e335363526a274bb776c31ea03",
    "small_fifo_faults": "bc7f2eaad228e98701d2000beccc4fdc6327f093b21aac7f3431785bc04dd4fa",
    "small_fifo_het_strict_faults": "7bc17039cd8228a788d4b24720659090cbc4562cff328b1e99a7a77803893c54",
    "small_cost_het_rounds": "ae97f87d82af44ea7486d1525cf7c809907c2d72035afd047288c92cc44c6b54",
    "small_las_het": "326053c1e2413aebb25a50b18fe8497569eb9ffebcd4d492958f065ff65e0a34",
    "gavel_compat_fifo": "02513baca59f0c0cb806ef116ce280c78319974e6d745092b7303802f3ed8104",
    "gavel_compat_fifo_het": "43a9dc402dcd544300865f00901885aaeed2f79a3cd6acdf5618a7c3619ba33e",
    "gavel_compat_las_het": "c43650db9e6bf5a250301d65e005799b93a84457fa2b5bb1832c9cf296b4fb4b",
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(BEFORE))
def test_replay_paths_unchanged(name: str) -> None:
    assert digest(_case(name)) == BEFORE[name]


if __name__ == "__main__":  # print the digests of whatever `tender` is on PYTHONPATH
    for case in (
        "philly_fifo_1pool",
        "philly_fifo_512",
        "philly_fifo_per_vc",
        "small_fifo_faults",
        "small_fifo_het_strict_faults",
        "small_cost_het_rounds",
        "small_las_het",
        *COMPAT,
    ):
        print(f'    "{case}": "{digest(_case(case))}",')
