"""One future's first passes, solved once and finished under every coin that needs a re-plan of it.

A re-plan's first pass (`planner.first_pass`: the future's index, the first-pass MILP, its needs) is a
function of the future, the first stage and the solver's options; the holder model's coin is read only
after it, by the ROFR protocol (`planner.finish`). When samples of one future are re-planned under
several coins (`classes.Traces`: a coin that does not repeat a trace's recorded tosses), each re-plan
finishes from the first pass the future's first re-plan solved: `finish(first_pass(...), options)` is
`plan(...)`, step for step, so the figures are the same to the cent (tests/unit/risk/test_first_pass_reuse.py
checks it against plain `plan`).

1. `FirstPasses.plan(d, future, options, stage)`: `d` the draw that built `future` (`future.apply`),
   `stage` the first stage fixed (None: the plan with perfect information, `study.wait_and_see`);
2. the first pass kept is looked up by the draw without its index, the first stage and
   `planner.solver_key(options)`, all compared by equality: a lookup that does not match solves its own;
3. one `FirstPasses` per future's batch (`classes.evaluate_group`, `study.study_group`), dropped with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tender.domain import Scenario
from tender.sourcing.planner import FirstPass, finish, first_pass, solver_key
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.sampler import Draw
from tender.sourcing.types import Plan, PlanOptions


@dataclass(frozen=True)
class _Kept:
    draw: Draw  # index -1: the future, not the sample
    stage: FirstStage | None
    solver: tuple[object, ...]
    first: FirstPass


@dataclass
class FirstPasses:
    found: list[_Kept] = field(default_factory=list)
    solved: int = 0  # first passes solved here (the rest were reused)

    def plan(self, d: Draw, future: Scenario, options: PlanOptions, stage: FirstStage | None) -> Plan:
        """Step 1: `plan(future, options, first_stage=stage)`, its first pass reused when kept."""
        future_draw, solver = replace(d, index=-1), solver_key(options)
        kept = next(
            (
                k.first
                for k in self.found
                if k.solver == solver and k.stage == stage and k.draw == future_draw
            ),
            None,
        )
        if kept is None:
            kept = first_pass(future, options, first_stage=stage)
            self.found.append(_Kept(future_draw, stage, solver, kept))
            self.solved += 1
        return finish(kept, options)
