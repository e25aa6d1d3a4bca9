"""The replay skips the scheduler when `greedy_round` could not place anything (empty queue, or no
free GPU on a pool that is up) and keeps the held GPUs as a counter; the outcome must equal a replay
that asks the scheduler at every decision and recounts the busy GPUs from the pools.

Independent check: the reference replay is the same `Replay` with the shortcut switched off (its
`_room_for_queue` always true) and its timeline's busy column recomputed from `free` after each
decision, so a wrong skip or a drifting counter shows as a different job outcome or timeline.
Hypothesis draws the traces (gangs up to a whole pool, bursts, outages of either pool).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tender.placement import JobRequest, Policy, PolicyName, Pool
from tender.sim.faults import Fault
from tender.sim.runner import Replay

POOLS = (
    Pool("a", "pa", "r1", "fast", 4, Decimal("3.00"), speed=1.5),
    Pool("b", "pb", "r1", "slow", 6, Decimal("1.00"), speed=0.5),
)


class Reference(Replay):
    """Asks the scheduler at every decision; busy GPUs recounted from the pools afterwards."""

    def _room_for_queue(self) -> bool:
        return True

    def _decide(self) -> None:
        super()._decide()
        now, _, queued = self.out.timeline[-1]
        busy = sum(p.count - self.free[p.id] for p in self.pools)
        self.out.timeline[-1] = (now, busy, queued)


jobs_st = st.lists(
    st.tuples(
        st.integers(0, 40),  # arrival gap (s), 0 = a burst at one instant
        st.integers(1, 6),  # gang size
        st.integers(5, 400),  # work
        st.sampled_from(["", "fast", "slow"]),  # a required type, or any
    ),
    min_size=1,
    max_size=40,
)
faults_st = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 600), st.integers(1, 300)), max_size=3
)


def build(spec: list[tuple[int, int, int, str]]) -> list[JobRequest]:
    jobs, now = [], 0.0
    for i, (gap, gpus, work, gpu_type) in enumerate(spec):
        now += gap
        types = frozenset({gpu_type}) if gpu_type else frozenset()
        jobs.append(JobRequest(f"j{i:03d}", gpus, now, float(work), gpu_types=types))
    return jobs


@pytest.mark.parametrize("name", [PolicyName.FIFO, PolicyName.FIFO_HET, PolicyName.COST_HET])
@settings(max_examples=40, deadline=None)
@given(spec=jobs_st, outages=faults_st, backfill=st.booleans())
def test_skipped_decisions_change_nothing(
    name: PolicyName,
    spec: list[tuple[int, int, int, str]],
    outages: list[tuple[str, int, int]],
    backfill: bool,
) -> None:
    jobs = build(spec)
    faults = sorted(
        (Fault(p, float(s), float(s + d)) for p, s, d in outages), key=lambda f: (f.start, f.pool_id)
    )
    policy = Policy(name, backfill=backfill)
    fast = Replay(POOLS, policy, faults=faults).run(jobs)
    slow = Reference(POOLS, policy, faults=faults).run(jobs)
    outcome = [
        (k, r.first_start, r.finish, tuple(r.ran_on), r.preemptions) for k, r in sorted(fast.runs.items())
    ]
    assert outcome == [
        (k, r.first_start, r.finish, tuple(r.ran_on), r.preemptions) for k, r in sorted(slow.runs.items())
    ]
    assert fast.timeline == slow.timeline
    assert (fast.events, fast.decisions, sorted(fast.rejected)) == (
        slow.events,
        slow.decisions,
        sorted(slow.rejected),
    )
