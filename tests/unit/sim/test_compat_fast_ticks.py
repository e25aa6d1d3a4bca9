"""Compat rounds whose end is the next event run their tick inline (`Replay._inline_tick`: no heap
push and pop); the outcome must be byte-identical to popping every tick from the heap.

Independent check: the reference is the same replay with the inline ticks switched off (every round
tick goes through the heap, as before this shortcut), and a second reference that also decides every
round (`batch_rounds=False`, no skipped decisions). Hypothesis draws the traces: gangs (whose last
task can fail, Gavel's bug), rates that are and are not powers of two (so round ends land on and off
other events), bursts at one instant, outages of a type (not under fifo: see the test), a horizon (`until`) and a watched subset
(the run stops when the watched jobs are done, before the others).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.placement import GavelCompat, JobRequest, Policy, PolicyName, Pool
from tender.sim.faults import Fault
from tender.sim.metrics import summarize
from tender.sim.runner import Replay
from tender.sim.runs import Outcome

POOLS = (
    Pool("k80", "gavel", "sim", "k80", 3, Decimal("1.00")),
    Pool("p100", "gavel", "sim", "p100", 2, Decimal("1.00")),
    Pool("v100", "gavel", "sim", "v100", 4, Decimal("1.00")),
)
RATES = (1 / 16, 1 / 8, 0.3, 0.77, 1.0, 2.5)  # steps/s: 1/16 and 1/8 give exact round ends

jobs_st = st.lists(
    st.tuples(
        st.integers(0, 900),  # arrival gap (s), 0 = a burst at one instant
        st.sampled_from([1, 1, 1, 2, 4]),  # gang size
        st.integers(3, 400),  # steps
        st.tuples(st.sampled_from(RATES), st.sampled_from(RATES), st.sampled_from(RATES)),
    ),
    min_size=1,
    max_size=25,
)
outage_st = st.lists(
    st.tuples(st.sampled_from(["k80", "p100", "v100"]), st.integers(0, 20_000), st.integers(1, 4000)),
    max_size=2,
)


def build(spec: list[tuple[int, int, int, tuple[float, float, float]]]) -> list[JobRequest]:
    jobs, now = [], 0.0
    for i, (gap, gpus, steps, (k80, p100, v100)) in enumerate(spec):
        now += gap
        rates = {"k80": k80, "p100": p100, "v100": v100}
        jobs.append(JobRequest(f"j{i:03d}", gpus, now, float(steps), throughput=rates))
    return jobs


def fingerprint(out: Outcome) -> str:
    runs = [
        (k, r.first_start, r.finish, r.remaining, r.ran_on, sorted(r.attained.items()), r.failures)
        for k, r in sorted(out.runs.items())
    ]
    rest = (sorted(out.gpu_seconds.items()), out.failed, sorted(out.rejected), out.end, out.lp_solves)
    return json.dumps([runs, rest])


def job_times(out: Outcome) -> list[tuple[str, float | None, float | None, list[str]]]:
    return [(k, r.first_start, r.finish, r.ran_on) for k, r in sorted(out.runs.items())]


@pytest.mark.parametrize("name", [PolicyName.FIFO, PolicyName.FIFO_HET, PolicyName.LAS_HET])
@settings(max_examples=30, deadline=None)
@given(
    spec=jobs_st,
    outages=outage_st,
    until_h=st.one_of(st.none(), st.integers(1, 12)),
    watched=st.integers(0, 25),
)
def test_inline_ticks_change_nothing(
    name: PolicyName,
    spec: list[tuple[int, int, int, tuple[float, float, float]]],
    outages: list[tuple[str, int, int]],
    until_h: int | None,
    watched: int,
) -> None:
    jobs = build(spec)
    if name is PolicyName.FIFO:
        outages = []  # compat fifo with a type down fails in `gavel_fifo.fifo_base` (a known gap)
    faults = sorted(
        (Fault(p, float(s), float(s + d)) for p, s, d in outages), key=lambda f: (f.start, f.pool_id)
    )
    watch = frozenset(j.id for j in jobs[:watched]) if watched else None
    until = until_h * 3600.0 if until_h is not None else None
    outs = []
    for fast, batch in ((True, True), (False, True), (False, False)):
        policy = Policy(name, round_seconds=360.0, compat=GavelCompat(batch_rounds=batch))
        replay = Replay(POOLS, policy, faults=faults, watch=watch, until=until)
        replay.fast_ticks = fast
        outs.append(replay.run(jobs))
    inline, heap, every = outs
    assert fingerprint(inline) == fingerprint(heap)
    assert (inline.events, inline.decisions, inline.timeline) == (heap.events, heap.decisions, heap.timeline)
    summary = json.dumps(summarize(inline, POOLS, measured=watch), sort_keys=True)
    assert summary == json.dumps(summarize(heap, POOLS, measured=watch), sort_keys=True)
    assert job_times(inline) == job_times(every)  # and skipping decisions changes no job either


def test_inline_ticks_are_taken_on_a_quiet_stretch() -> None:
    """Two long jobs, nothing else: the ticks between the first round and the last run inline, the
    event count is still one per tick (1/16 steps/s: 22 steps per 352 s round, 44 rounds for 968)."""
    jobs = [
        JobRequest("a", 1, 0.0, 968.0, throughput={"v100": 1 / 16}),
        JobRequest("b", 1, 0.0, 968.0, throughput={"v100": 1 / 16}),
    ]
    policy = Policy(PolicyName.FIFO_HET, round_seconds=360.0, compat=GavelCompat())
    pushed = []
    replay = Replay(POOLS, policy)
    push = replay.heap.push
    replay.heap.push = lambda event: (pushed.append(event.kind.name), push(event))[1]  # type: ignore[method-assign]
    out = replay.run(jobs)
    assert out.runs["a"].finish == out.runs["b"].finish == 44 * 352.0
    # The arrivals' tick at 0 and the last round's end (with the completions) went through the heap;
    # the 43 round ends between them ran inline.
    assert pushed.count("TICK") == 2
    assert out.events == 2 + 1 + 43 + 2 + 1  # arrivals, ticks at 0, inline ticks, completions, last tick
