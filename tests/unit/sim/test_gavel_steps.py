"""`--compat 1f6f02e` rounds are Gavel's micro-tasks: integer steps, credited execution time, a round
that ends with its longest task, the stale round start after an idle gap, and byte-identical reruns.

Rates are powers of two so every time below is exact: a job at 1/16 steps/s does int(360 / 16) = 22
steps in a round, which take 352 s; at 1/8 steps/s it does 45 steps in exactly 360 s.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tender.placement import GavelCompat, JobRequest, Policy, PolicyName, Pool
from tender.placement.gavel_round import fresh_clock
from tender.sim.gavel import GavelWorkload, gavel_pools
from tender.sim.metrics import summarize
from tender.sim.runner import replay

SLOW, FAST = 1 / 16, 1 / 8  # steps/s: 22 steps = 352 s per round; 45 steps = 360 s


def pools(**sizes: int) -> list[Pool]:
    return [Pool(gpu, "gavel", "sim", gpu, n, Decimal("1.00")) for gpu, n in sorted(sizes.items())]


def job(jid: str, arrival: float, work: float, gpus: int = 1, **rates: float) -> JobRequest:
    return JobRequest(id=jid, gpus=gpus, arrival=arrival, work=work, throughput=rates)


def compat(name: PolicyName) -> Policy:
    """Every round decided (no batching), so the timeline lists every round start."""
    return Policy(name, round_seconds=360.0, compat=GavelCompat(batch_rounds=False))


def decision_times(timeline: list[tuple[float, int, int]]) -> list[float]:
    return [t for t, _, _ in timeline]


def test_integer_steps_and_a_round_that_ends_with_its_longest_task() -> None:
    """v100=2, fifo_het. a (1/16 steps/s, 100 steps) and b (1/8, 90 steps) at 0.
    Round 0: a 22 steps (352 s), b 45 (360 s): the round ends at 360, its longest task.
    Round 360: a 22 more (44), b its last 45, done at 720. Rounds 720, 1072: a alone, 22 steps
    each (352 s): 66, 88. Round 1424: the last 12 steps, 192 s: a finishes at 1616, where
    continuous work would finish at 100 x 16 = 1600 (that round's end, 1616, is decided too:
    nothing is left to run). a is credited its execution time,
    4 x 352 + 192 = 1600 s, not the 1616 s it held the GPU."""
    jobs = [job("a", 0, 100, v100=SLOW), job("b", 0, 90, v100=FAST)]
    out = replay(jobs, pools(v100=2), compat(PolicyName.FIFO_HET))
    a, b = out.runs["a"], out.runs["b"]
    assert b.finish == 720.0
    assert a.finish == 1616.0
    assert decision_times(out.timeline) == [0.0, 360.0, 720.0, 1072.0, 1424.0, 1616.0]
    assert a.attained == {"v100": 1600.0}
    assert b.attained == {"v100": 720.0}
    assert out.gpu_seconds["v100"] == 1616.0 + 720.0  # GPUs are held to the round's end


def test_integer_credit_breaks_a_tie_that_continuous_time_keeps() -> None:
    """Gavel's fifo bug books a (1 GPU, 1/8), b (2 GPUs, 1/16) and c (1 GPU, 1/8) all on v100=2
    (test_gavel_compat explains the booking); they time-share by priority = type time / job time.
    Round 0: all 180 s of credit, a tie: a and c run (b needs 2 GPUs), 45 steps = 360 s each.
    Round 360: a, c at 540, b at 180: b runs alone, 22 steps = 352 s: the round ends at 712.
    Round 712: a, c at 540, b at 180 + 352 = 532: b is the furthest behind and runs again (ends
    1064); with continuous time all three would tie at 540 and a, c (arrival order) would run.
    Round 1064: b at 884: a and c run."""
    jobs = [
        job("a", 0, 10_000, v100=FAST, k80=1 / 32),
        job("b", 0, 10_000, 2, v100=SLOW, k80=1 / 32),
        job("c", 0, 10_000, v100=FAST, k80=1 / 32),
    ]
    out = replay(jobs, pools(k80=4, v100=2), compat(PolicyName.FIFO), until=1100.0)
    a, b, c = out.runs["a"], out.runs["b"], out.runs["c"]
    assert decision_times(out.timeline) == [0.0, 360.0, 712.0, 1064.0]
    assert (a.first_start, b.first_start, c.first_start) == (0.0, 360.0, 0.0)
    assert b.preemptions == 1 and b.attained == {"v100": 704.0}  # ran 360..1064 in two tasks
    assert a.ran_on == c.ran_on == ["v100", "v100"] and a.preemptions == c.preemptions == 1
    assert a.remaining == c.remaining == 10_000 - 45


def test_after_an_idle_gap_the_stale_round_start_inflates_the_credit() -> None:
    """Gavel measures a task's execution time from `current_round_start_time`, which an idle gap
    leaves at the end of the last round that ran something. a (45 steps at 1/8) runs 0..360 (its
    end resets the allocation: the last reset was at time 0); the cluster idles; b (90 steps at
    1/8) arrives at 3000 (>= 360 + 1,920 s, so it gets an allocation at once) and runs 45 steps,
    3000..3360, credited 3360 - 360 = 3000 s; its last 45 steps, 3360..3720, are credited 360 s."""
    jobs = [job("a", 0, 45, v100=FAST), job("b", 3000, 90, v100=FAST)]
    out = replay(jobs, pools(v100=1), compat(PolicyName.FIFO_HET))
    a, b = out.runs["a"], out.runs["b"]
    assert a.finish == 360.0 and a.attained == {"v100": 360.0}
    assert (b.first_start, b.finish) == (3000.0, 3720.0)
    assert b.attained == {"v100": 3360.0}


def test_fresh_clock_is_the_initial_credit_everywhere() -> None:
    clock = fresh_clock(3, ["x", "y"], ["v100", "k80"], 180.0)
    assert clock.job_time == {"x": {"k80": 180.0, "v100": 180.0}, "y": {"k80": 180.0, "v100": 180.0}}
    assert clock.type_time == {"k80": 540.0, "v100": 540.0}


@pytest.mark.parametrize("name", [PolicyName.FIFO, PolicyName.FIFO_HET, PolicyName.LAS_HET])
def test_compat_summary_is_the_same_bytes_on_a_rerun(name: PolicyName) -> None:
    """Same seed, same bytes: the summary JSON of two compat runs of a small loaded multi-GPU
    Gavel trace (40 jobs at 4 jobs/h on 4 GPUs of each type, 40 h) is identical byte for byte, as
    is every job's (first start, finish, pools); another seed gives another summary (the check
    can fail)."""

    def run(seed: int) -> tuple[bytes, list[tuple[str, float | None, float | None, tuple[str, ...]]]]:
        stream = GavelWorkload(4.0, seed=seed, multi_gpu=True, compat="1f6f02e").jobs()
        jobs = [next(stream) for _ in range(40)]
        cluster = gavel_pools({"v100": 4, "p100": 4, "k80": 4})
        out = replay(
            jobs, cluster, Policy(name, round_seconds=360.0, compat=GavelCompat()), until=40 * 3600.0
        )
        runs = sorted((k, r.first_start, r.finish, tuple(r.ran_on)) for k, r in out.runs.items())
        return json.dumps(summarize(out, cluster), sort_keys=True).encode(), runs

    first, again, other = run(1), run(1), run(2)
    assert first == again
    assert other[0] != first[0]


def test_las_het_job_without_an_allocation_holds_its_gpus_idle() -> None:
    """v100=3, las_het, every task 45 steps at 1/8 = 360 s. a at 0 (reset at 0); b at 400 joins the
    reset at 720 (the last reset was at time 0). c at 800: at 1080 the job set changed but only
    360 s have passed since the reset, so c has no allocation: Gavel's helper selects it with
    priority 0 for the free V100 and then skips it (it is not in the allocation), so it waits for
    the reset due at 720 + 1,920 = 2640: the first round start after that, 2880 (not 1080)."""
    jobs = [job("a", 0, 1e6, v100=FAST), job("b", 400, 1e6, v100=FAST), job("c", 800, 1e6, v100=FAST)]
    out = replay(jobs, pools(v100=3), compat(PolicyName.LAS_HET), until=3000.0)
    starts = [out.runs[j].first_start for j in "abc"]
    assert starts == [0.0, 720.0, 2880.0]
    assert out.runs["a"].preemptions == out.runs["b"].preemptions == 0
