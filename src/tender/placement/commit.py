"""Propose, then commit: a round's proposal applied to a driver's own state, in one order, by one function.

`schedule_round` only proposes (`RoundResult`); it changes nothing. Each driver commits the proposal
against its own state through a `Committer`, and both call `commit_round`:

- the simulator (`tender.sim.runner.Replay`): memory and its event heap; a placement always takes;
- the runtime (`tender.runtime.placing`): SQL and a real engine — record the attempt as `submitting`,
  submit, record the handle; a placement may not take (the job moved since the round read the state,
  its devices are taken, the engine refused it) and the job then stays queued for the next round.

`commit_round(result, committer)`:
1. every preemption first (they free the GPUs some placements were proposed on);
2. every placement, in the scheduler's order; the committer says whether it took.
Returns what was applied. Verdicts (why a job waits, or that no pool may ever take it) are not commits:
each driver records them itself (`Outcome.rejected` in the simulator, the job's reason in the runtime).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tender.placement.model import Placement, Preemption, RoundResult


class Committer(Protocol):
    def preempt(self, preemption: Preemption) -> None:
        """Stop the job where it runs and queue it again."""
        ...

    def place(self, placement: Placement) -> bool:
        """Start the job on the pool; False when the driver's state no longer allows it."""
        ...


@dataclass(frozen=True)
class Committed:
    preempted: tuple[str, ...]  # job ids, in the round's order
    placed: tuple[str, ...]
    not_placed: tuple[str, ...]  # proposed, but the committer could not apply them

    def __init__(
        self, preempted: tuple[str, ...], placed: tuple[str, ...], not_placed: tuple[str, ...]
    ) -> None:
        # By hand, as the core's per-decision value types (see `tender.placement.model`).
        d = self.__dict__
        d["preempted"], d["placed"], d["not_placed"] = preempted, placed, not_placed


def commit_round(result: RoundResult, committer: Committer) -> Committed:
    for preemption in result.preemptions:  # 1
        committer.preempt(preemption)
    placed: list[str] = []
    not_placed: list[str] = []
    for placement in result.placements:  # 2
        (placed if committer.place(placement) else not_placed).append(placement.job_id)
    preempted = tuple([p.job_id for p in result.preemptions]) if result.preemptions else ()
    return Committed(preempted, tuple(placed), tuple(not_placed))
