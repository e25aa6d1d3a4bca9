"""One committer: `tender.placement.commit.commit_round` applies a round's proposal — preemptions first, then
placements in the scheduler's order — for the simulator and the runtime alike; a placement the driver cannot
apply stays unapplied and is reported so."""

from __future__ import annotations

from pathlib import Path

import pytest
from two_pools import two_pools

from tender.placement import Placement, Policy, PolicyName, Preemption, Reason, RoundResult
from tender.placement.commit import Committed, commit_round
from tender.runtime.driver import Runtime


class Recorder:
    """A committer that writes down each call and refuses the jobs it is told to."""

    def __init__(self, refuse: set[str]) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.refuse = refuse

    def preempt(self, preemption: Preemption) -> None:
        self.calls.append(("preempt", preemption.job_id, preemption.pool_id))

    def place(self, placement: Placement) -> bool:
        self.calls.append(("place", placement.job_id, placement.pool_id))
        return placement.job_id not in self.refuse


def test_preemptions_go_first_then_placements_in_the_rounds_order() -> None:
    result = RoundResult(
        placements=(Placement("p2", "b", 1), Placement("p1", "a", 2), Placement("p3", "a", 1)),
        preemptions=(Preemption("old", "a", Reason.CAPACITY),),
        verdicts={},
    )
    recorder = Recorder(refuse={"p1"})
    committed = commit_round(result, recorder)
    assert recorder.calls == [
        ("preempt", "old", "a"),
        ("place", "p2", "b"),
        ("place", "p1", "a"),
        ("place", "p3", "a"),
    ]
    assert committed == Committed(preempted=("old",), placed=("p2", "p3"), not_placed=("p1",))


def test_an_empty_round_commits_nothing() -> None:
    recorder = Recorder(refuse=set())
    assert commit_round(RoundResult((), (), {}), recorder) == Committed((), (), ())
    assert recorder.calls == []


def test_the_runtime_refuses_a_preemptive_policy(tmp_path: Path) -> None:
    h = two_pools(tmp_path)
    with pytest.raises(ValueError, match="does not preempt"):
        Runtime(
            h.store,
            h.runtime.config,
            h.clock,
            tmp_path,
            backends={"a": h.a, "b": h.b},
            policy=Policy(name=PolicyName.LAS_HET, round_seconds=60.0),
        )
