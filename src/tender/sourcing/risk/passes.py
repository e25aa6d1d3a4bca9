"""One future's first passes, solved once and finished under every coin and first stage that can.

A re-plan's first pass (`first_pass.first_pass`: the future's index, the first-pass MILP, its needs) is a
function of the future, the first stage's answers and first-pass run options and the solver's
options; the holder model's coin is read only after it, by the ROFR protocol, and the bookings only
by the second pass (`finish.finish`). So when samples of one future are re-planned under several
coins (`classes.Traces`: a coin that does not repeat a trace's recorded tosses), or under two first
stages whose first passes coincide (`first_pass.fits`: the deterministic and the robust plan's, where the
first pass keeps every option of the run they place apart), each re-plan finishes from the first pass
already solved: `finish(first_pass(...), options, first_stage=...)` is `plan(...)`, step for step, so
the figures are the same to the cent; a study reads only the figures (`finish.finish_figures`: the
same steps without the explanations and, with bookings, the unused baseline;
tests/unit/risk/test_first_pass_reuse.py checks both against plain `plan`).

1. `FirstPasses.plan(d, future, options, stage)`: `d` the draw that built `future` (`future.apply`),
   `stage` the first stage fixed (None: the plan with perfect information, `study.wait_and_see`);
2. a kept first pass is reused when its draw without the index, its `first_pass.solver_key` and
   `first_pass.fits(kept, stage)` all match (compared by equality), else the lookup solves its own;
3. one `FirstPasses` per future's batch (`classes.evaluate_group`, `study.stages_part`), dropped with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tender.domain import Scenario
from tender.sourcing.finish import Figures, finish_figures
from tender.sourcing.first_pass import FirstPass, first_pass, fits, solver_key
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.sampler import Draw
from tender.sourcing.types import PlanOptions


@dataclass(frozen=True)
class _Kept:
    draw: Draw  # index -1: the future, not the sample
    first: FirstPass


@dataclass
class FirstPasses:
    found: list[_Kept] = field(default_factory=list)
    solved: int = 0  # first passes solved here (the rest were reused)

    def plan(self, d: Draw, future: Scenario, options: PlanOptions, stage: FirstStage | None) -> Figures:
        """Step 1: `plan(future, options, first_stage=stage)`'s figures (`finish.finish_figures`),
        its first pass reused when one fits."""
        future_draw, solver = replace(d, index=-1), solver_key(options)
        kept = next(
            (
                k.first
                for k in self.found
                if k.first.solver == solver and k.draw == future_draw and fits(k.first, stage)
            ),
            None,
        )
        if kept is None:
            kept = first_pass(future, options, first_stage=stage)
            self.found.append(_Kept(future_draw, kept))
            self.solved += 1
        return finish_figures(kept, options, first_stage=stage)
