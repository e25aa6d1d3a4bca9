"""`--compat 1f6f02e`: Gavel's FIFO choice bug, fifo_perf migration, reset cadence and round timing.

Every expected value is worked out by hand in the test's docstring, from Gavel 1f6f02e's code
(`policies/fifo.py`, `scheduler.py`) as summarised in `tender.placement.gavel_fifo` / `gavel_round`.
"""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal
from typing import Any

import pytest

import tender.placement.gavel_round as gavel_round
from tender.placement import Allocation, GavelCompat, JobRequest, Policy, PolicyName, Pool
from tender.placement.gavel_fifo import fifo_base, fifo_perf
from tender.sim.faults import Fault
from tender.sim.gavel import JOB_TABLE, JOB_TABLE_1F6F02E, GavelWorkload
from tender.sim.runner import replay

COMPAT = GavelCompat()


def pools(**sizes: int) -> list[Pool]:
    return [Pool(gpu, "gavel", "sim", gpu, n, Decimal("1.00")) for gpu, n in sorted(sizes.items())]


def job(jid: str, arrival: float, work: float, gpus: int = 1, **rates: float) -> JobRequest:
    return JobRequest(id=jid, gpus=gpus, arrival=arrival, work=work, throughput=rates)


def compat(name: PolicyName) -> Policy:
    return Policy(name, round_seconds=360.0, compat=COMPAT)


def test_1f6f02e_table_order_and_its_effect_on_the_trace() -> None:
    """1f6f02e lists A3C at index 14 (before the five LMs) and CycleGAN last; the later head puts A3C
    after Recommendation. Same 26 types, so index < 14 draws agree and later ones differ."""
    assert JOB_TABLE_1F6F02E[14] == ("A3C", False)
    assert JOB_TABLE_1F6F02E[15][0] == "LM (batch size 5)"
    assert JOB_TABLE_1F6F02E[-1] == ("CycleGAN", False)
    assert sorted(JOB_TABLE_1F6F02E) == sorted(JOB_TABLE)
    own = GavelWorkload(1.0).jobs()
    old = GavelWorkload(1.0, compat="1f6f02e").jobs()
    pairs = [(next(own), next(old)) for _ in range(200)]
    # A single-GPU trace draws the same index, so a type differs exactly when the index is >= 14
    # and the two tables disagree there; arrivals and durations never differ.
    assert all(a.arrival == b.arrival for a, b in pairs)
    index = {model: i for i, (model, _) in enumerate(JOB_TABLE)}
    for a, b in pairs:
        i = index[a.workload]
        assert b.workload == JOB_TABLE_1F6F02E[i][0]
        if a.workload == b.workload:
            assert a.work == b.work  # work = duration x the type's V100 steps/s
    assert any(a.workload != b.workload for a, b in pairs)


def test_fifo_bug_picks_the_last_type_and_overbooks_it() -> None:
    """k80=4, v100=2; a (1 GPU), b (2 GPUs), c (1 GPU), oldest first. Types with room: [k80, v100].
    a: fits both; Gavel draws an index but takes `worker_type` = the loop's last value, v100 -> v100
    has 1 left (not 0, nothing removed). b: only k80 fits (v100 has 1 < 2), yet it is booked on v100
    -> v100 at -1. c: the same -> -2. All three on v100, the four K80s idle; the intended random pick
    would have put b and c on k80."""
    jobs = [job("a", 0, 1e6), job("b", 1, 1e6, gpus=2), job("c", 2, 1e6)]
    rates = {j.id: {"k80": 1.0, "v100": 2.0} for j in jobs}
    choice = fifo_base(jobs, rates, {"k80": 4, "v100": 2}, (), None, seed=0)
    assert [(job_id, gpu) for _, job_id, gpu in choice.assigned] == [
        ("a", "v100"),
        ("b", "v100"),
        ("c", "v100"),
    ]


def test_fifo_bug_random_index_removes_a_type() -> None:
    """k80=1, v100=1; a, b, c of 1 GPU. a goes to v100 (the last type) and v100 reaches 0, so the type
    at Gavel's random index among [k80, v100] is removed: index 1 removes v100 and b then takes k80
    (the only, hence last, type); index 0 removes k80 although it is free, v100 stays listed with 0
    free, b fits nowhere and allocation stops (no backfill). The index is random.Random(0)'s first
    randrange(2), drawn here independently."""
    jobs = [job("a", 0, 1e6), job("b", 1, 1e6), job("c", 2, 1e6)]
    rates = {j.id: {"k80": 1.0, "v100": 1.0} for j in jobs}
    choice = fifo_base(jobs, rates, {"k80": 1, "v100": 1}, (), None, seed=0)
    draw = random.Random(0).randrange(2)
    expected = [("a", "v100"), ("b", "k80")] if draw == 1 else [("a", "v100")]
    assert [(job_id, gpu) for _, job_id, gpu in choice.assigned] == expected


def test_fifo_finished_job_hands_its_type_to_the_queue_head() -> None:
    """a held k80 and has finished; b (queue head) inherits k80 even though v100 (faster, free)
    would be the bug's pick; c then goes to v100 as the last type with room."""
    jobs = [job("b", 1, 1e6), job("c", 2, 1e6)]
    rates = {j.id: {"k80": 1.0, "v100": 2.0} for j in jobs}
    choice = fifo_base(jobs, rates, {"k80": 1, "v100": 1}, ((0.0, "a", "k80"),), None, seed=0)
    assert [(job_id, gpu) for _, job_id, gpu in choice.assigned] == [("b", "k80"), ("c", "v100")]


def test_fifo_perf_replans_oldest_first_and_stops_at_first_misfit() -> None:
    """v100=2, k80=2: a (2 GPUs) takes v100 (fastest); b (1) finds v100 full -> k80; c (4 GPUs) fits
    nowhere -> stop, so d (1 GPU, would fit k80) gets nothing."""
    jobs = [job("a", 0, 1, gpus=2), job("b", 1, 1), job("c", 2, 1, gpus=4), job("d", 3, 1)]
    rates = {j.id: {"k80": 1.0, "v100": 3.0} for j in jobs}
    choice = fifo_perf(jobs, rates, {"k80": 2, "v100": 2})
    assert [(job_id, gpu) for _, job_id, gpu in choice.assigned] == [("a", "v100"), ("b", "k80")]


def test_overbooked_v100_time_shares_by_priority() -> None:
    """The bug books a (1 GPU), b (2), c (1) on v100=2 (see above); k80=4 stays idle. Round at t=0:
    type time = 3 jobs x 180 s credit = 540, each job 180 -> fraction 1/3, priority 3 for all; ties by
    arrival: a runs (1 left), b needs 2 (skip), c runs. Round at 360: a and c have 180+360 = 540,
    b 180; type time 540 + 720 = 1260; priorities a, c = 1260/540 = 2.33, b = 1260/180 = 7: b runs
    alone, a and c are preempted. Nothing ever runs on a K80."""
    jobs = [job("a", 0, 1e6, k80=1.0, v100=2.0), job("b", 0, 1e6, 2, k80=1.0, v100=2.0)]
    jobs.append(job("c", 0, 1e6, k80=1.0, v100=2.0))
    out = replay(jobs, pools(k80=4, v100=2), compat(PolicyName.FIFO), until=700.0)
    runs = out.runs
    assert (runs["a"].first_start, runs["b"].first_start, runs["c"].first_start) == (0.0, 360.0, 0.0)
    assert runs["a"].preemptions == runs["c"].preemptions == 1 and runs["b"].preemptions == 0
    assert all(r.ran_on == ["v100"] for r in runs.values())


def test_fifo_perf_migrates_for_free_at_a_reset() -> None:
    """v100=1, k80=1. a (v100 rate 1, work 720) and b (v100 1.0, k80 0.5, work 900) arrive at 0:
    a -> v100, b -> k80. Rounds end at 360 and 720 (a finishes exactly then). At 720 the job set
    changed and the last reset was at time 0 (Gavel resets whenever _last_reset_time == 0), so the
    allocation is rebuilt: b -> v100, a free migration. b did 720 x 0.5 = 360 units on k80; 540 left at
    rate 1 -> finishes at 1260. Tender's own fifo_het never moves b: 900 / 0.5 = 1800."""
    jobs = [job("a", 0, 720, v100=1.0, k80=0.1), job("b", 0, 900, v100=1.0, k80=0.5)]
    out = replay(jobs, pools(k80=1, v100=1), compat(PolicyName.FIFO_HET))
    assert out.runs["a"].finish == 720.0
    assert out.runs["b"].ran_on == ["k80", "v100"]
    assert out.runs["b"].finish == 1260.0
    own = replay(jobs, pools(k80=1, v100=1), Policy(PolicyName.FIFO_HET, round_seconds=360.0))
    assert own.runs["b"].ran_on == ["k80"] and own.runs["b"].finish == 1800.0


def test_reset_cadence_new_jobs_wait_for_the_next_reset() -> None:
    """v100=3, fifo_het. a at 0 (reset at 0), b at 100 -> joins at the 360 round, reset at 360 (the
    last reset was at time 0). c at 500: at 720 the job set changed but only 360 s have passed since
    the reset, so c has no allocation (priority 0, FIFO skips it) although a GPU is free. Resets need
    1,920 s: the first round start >= 360 + 1920 = 2280 is 2520 (rounds every 360 s while a, b run)."""
    jobs = [job("a", 0, 1e6, v100=1.0), job("b", 100, 1e6, v100=1.0), job("c", 500, 1e6, v100=1.0)]
    out = replay(jobs, pools(v100=3), compat(PolicyName.FIFO_HET), until=3000.0)
    starts = [out.runs[j].first_start for j in "abc"]
    assert starts == [0.0, 360.0, 2520.0]


def test_round_timing_starts_at_arrival_and_ends_with_its_longest_task() -> None:
    """v100=2, fifo_het. Idle cluster: a round starts at a's arrival (1000, not a 360 s tick) and
    resets; a (work 100, rate 1) finishes at 1100, which ends the round (not 1360). b arrived at 1050:
    at 1100 the last reset is 100 s old, so b waits with no allocation; nothing runs, so the next round
    starts at the next arrival, c at 3000 (>= 1000 + 1920): reset, b and c start together."""
    jobs = [job("a", 1000, 100, v100=1.0), job("b", 1050, 50, v100=1.0), job("c", 3000, 50, v100=1.0)]
    out = replay(jobs, pools(v100=2), compat(PolicyName.FIFO_HET))
    runs = out.runs
    assert (runs["a"].first_start, runs["a"].finish) == (1000.0, 1100.0)
    assert runs["b"].first_start == runs["c"].first_start == 3000.0
    assert runs["b"].finish == runs["c"].finish == 3050.0


def test_compat_is_deterministic() -> None:
    """Same seed, same bytes: two compat runs of each policy give identical job outcomes."""
    for name in (PolicyName.FIFO, PolicyName.FIFO_HET, PolicyName.LAS_HET):
        runs = []
        for _ in range(2):
            stream = GavelWorkload(6.0, seed=1, multi_gpu=True, compat="1f6f02e").jobs()
            jobs = [next(stream) for _ in range(40)]
            out = replay(jobs, pools(k80=4, p100=4, v100=4), compat(name), until=30 * 3600.0)
            runs.append(sorted((k, r.finish, tuple(r.ran_on)) for k, r in out.runs.items()))
        assert runs[0] == runs[1]


def test_batched_rounds_give_the_same_outcome_as_every_round() -> None:
    """Rounds the core promises repeat the last one (no over-booked type, no reset falling due) are
    skipped by the replay; the outcome must equal ticking every round, for both FIFO policies, on
    a loaded Gavel trace (fifo's bug over-books, so it exercises both paths)."""
    stream = GavelWorkload(4.0, seed=0, multi_gpu=True, compat="1f6f02e").jobs()
    jobs = [next(stream) for _ in range(120)]
    for name in (PolicyName.FIFO, PolicyName.FIFO_HET):
        outcomes = []
        for batch in (True, False):
            policy = Policy(name, round_seconds=360.0, compat=GavelCompat(batch_rounds=batch))
            out = replay(jobs, pools(k80=6, p100=6, v100=6), policy)
            outcomes.append(
                (
                    sorted((k, r.first_start, r.finish, tuple(r.ran_on)) for k, r in out.runs.items()),
                    out.decisions,
                )
            )
        assert outcomes[0][0] == outcomes[1][0]
        assert outcomes[0][1] < outcomes[1][1]  # rounds were actually skipped


def test_las_het_compat_time_shares_types_by_gavel_priority() -> None:
    """v100=1, k80=1; a and b (1 GPU, v100 2 units/s, k80 1) at 0. The gang-weighted max-min LP:
    equal-share rate 1.5, coefficients 4/3 and 2/3; the only allocation giving both jobs value 1
    is 1/2 of each type each. Round 0: each type's time = 2 x 180 s credit, each job 180 -> priority
    (1/2) / (1/2) = 1 everywhere; v100's queue is served first, so one job takes v100 and the other
    k80. Round 360: the job that ran on v100 has 540 of 720 s there -> priority 2/3, the other
    180/720 -> 2: they swap (and swap back at 720, 1080). By 1439 three rounds are banked: the job
    that started on v100 has 720 s there and 360 s on k80, the other the mirror image."""
    jobs = [job("a", 0, 1e6, v100=2.0, k80=1.0), job("b", 0, 1e6, v100=2.0, k80=1.0)]
    out = replay(jobs, pools(k80=1, v100=1), compat(PolicyName.LAS_HET), until=1439.0)
    a, b = out.runs["a"], out.runs["b"]
    assert len(a.ran_on) == len(b.ran_on) == 4
    assert all(x != y for x, y in zip(a.ran_on, b.ran_on, strict=True))  # never on the same type
    assert all(x != y for x, y in zip(a.ran_on, a.ran_on[1:], strict=False))  # swap every round
    assert {a.attained["v100"], b.attained["v100"]} == {720.0, 360.0}
    assert a.attained["v100"] == b.attained["k80"] and a.attained["k80"] == b.attained["v100"]


def test_rates_reused_from_the_reset_match_a_run_that_recomputes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """las_het compat takes each job's rates from the last reset while every pool is up; with a
    pool down part of the time (rates recomputed from the pools that are up) and jobs arriving
    between resets, the outcome must equal a run whose allocations never carry rates (every round
    recomputes them)."""
    stream = GavelWorkload(6.0, seed=3, multi_gpu=True, compat="1f6f02e").jobs()
    jobs = [next(stream) for _ in range(60)]
    faults = [Fault("p100", 20_000.0, 60_000.0)]
    policy = compat(PolicyName.LAS_HET)
    reused = replay(jobs, pools(k80=4, p100=4, v100=4), policy, faults=faults, until=80 * 3600.0)
    original = gavel_round._reset

    def forgetful(*args: Any) -> Allocation:
        allocation = original(*args)
        assert allocation.gavel is not None
        return dataclasses.replace(allocation, gavel=dataclasses.replace(allocation.gavel, rates={}))

    monkeypatch.setattr(gavel_round, "_reset", forgetful)
    recomputed = replay(jobs, pools(k80=4, p100=4, v100=4), policy, faults=faults, until=80 * 3600.0)
    assert reused.lp_solves > 5 and reused.decisions > 100
    key = [(k, r.first_start, r.finish, tuple(r.ran_on)) for k, r in sorted(reused.runs.items())]
    assert key == [(k, r.first_start, r.finish, tuple(r.ran_on)) for k, r in sorted(recomputed.runs.items())]
    assert reused.timeline == recomputed.timeline
