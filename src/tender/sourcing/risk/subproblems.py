"""The decomposition's subproblems: each SAA sample's recourse with the first stage fixed.

1. `Subproblem(sample)`: one HiGHS instance per sample, holding its recourse model as an LP
   (integrality relaxed: racks, drawdown binaries and run binaries continuous);
2. `cut(x)`: the local first-stage columns fixed at x (bounds lb = ub), the LP solved from the
   instance's previous basis; its optimum Q(x) and the reduced costs of the fixed columns (a
   subgradient of the LP recourse, convex in x) are the cut theta >= Q(x) + g (x' - x);
3. `value(x)`: the recourse with integrality kept (a MIP, first stage fixed, the `recourse` solver
   profile of `solve.profile_options`): the sample's true cost;
4. `Local`: the subproblems of some samples in this process; `cuts` / `values` answer in sample order.
A sample's results depend only on the sequence of x it was asked (its own instance, one thread, a
fixed seed), not on which process holds it: the decomposition is the same for 1 or N workers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import highspy
import numpy as np

from tender.domain import Scenario
from tender.sourcing.risk.booking import Key
from tender.sourcing.risk.saa_sample import Protocol, RunKey, SampleModel, build
from tender.sourcing.solve import QuietHighs, solve, to_highs
from tender.sourcing.types import PlanOptions


@dataclass(frozen=True)
class Point:
    """A first stage: run option -> Y, slot -> B (keys a sample lacks are ignored there)."""

    runs: Mapping[RunKey, float]
    booked: Mapping[Key, float]


@dataclass(frozen=True)
class Cut:
    sample: int
    value: float  # Q_k(x), the LP recourse's optimum
    runs: tuple[tuple[RunKey, float], ...]  # reduced cost per run option of the sample
    booked: tuple[tuple[Key, float], ...]  # reduced cost per slot of the sample
    seconds: float


@dataclass(frozen=True)
class Shape:
    """What the master needs of a sample: its first-stage keys and each slot's capacity."""

    sample: int
    runs: tuple[RunKey, ...]
    caps: tuple[tuple[Key, int], ...]


class Subproblem:
    def __init__(self, s: SampleModel, options: PlanOptions) -> None:
        self.sample = s
        self.options = options
        self.highs = QuietHighs()  # type: ignore[no-untyped-call]
        self.highs.setOptionValue("random_seed", int(options.seed) % 2147483647)
        self.highs.setOptionValue("threads", 1)
        self.highs.setOptionValue("presolve", "off")  # solved from the last basis; exact reduced costs
        self.highs.setOptionValue("primal_feasibility_tolerance", 1e-5)
        lp = to_highs(s.model)
        lp.lp_.integrality_ = []
        self.highs.passModel(lp)
        self.cols = [j for _k, j in sorted(s.runs.items())] + [j for _k, j in sorted(s.booked.items())]
        self.clock = 0.0  # the instance's run time so far (HiGHS's timer accumulates over runs)

    @property
    def shape(self) -> Shape:
        s = self.sample
        return Shape(s.index, tuple(sorted(s.runs)), tuple(sorted(s.slot_caps.items())))

    def _fixed(self, x: Point) -> np.ndarray:
        s = self.sample
        runs = [x.runs.get(k, 0.0) for k in sorted(s.runs)]
        booked = [x.booked.get(k, 0.0) for k in sorted(s.booked)]
        return np.array(runs + booked, dtype=np.float64)

    def cut(self, x: Point) -> Cut:
        """Step 2."""
        values = self._fixed(x)
        idx = np.array(self.cols, dtype=np.int32)
        self.highs.changeColsBounds(len(idx), idx, values, values)
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(
                f"sample {self.sample.index}: recourse LP {self.highs.modelStatusToString(self.highs.getModelStatus())}"
            )
        dual = self.highs.getSolution().col_dual
        s = self.sample
        spent, self.clock = float(self.highs.getRunTime()) - self.clock, float(self.highs.getRunTime())
        return Cut(
            s.index,
            float(self.highs.getInfo().objective_function_value),
            tuple((k, float(dual[j])) for k, j in sorted(s.runs.items())),
            tuple((k, float(dual[j])) for k, j in sorted(s.booked.items())),
            spent,
        )

    def value(self, x: Point) -> tuple[float, float]:
        """Step 3: (the MIP recourse's cost at x, HiGHS seconds)."""
        model = replace(self.sample.model, col_lower=list(self.sample.model.col_lower))
        model.col_upper = list(model.col_upper)
        for j, v in zip(self.cols, self._fixed(x).tolist(), strict=True):
            model.col_lower[j] = model.col_upper[j] = v
        sol = solve(
            model,
            seed=self.options.seed,
            time_limit_s=self.options.time_limit_s,
            mip_gap=self.options.mip_gap,
            threads=1,
            stop=self.options.stop,
            tolerance=1e-5,
            profile="recourse",
        )
        return sol.objective, sol.seconds


class Local:
    """Step 4: the subproblems of `indices`, built here."""

    def __init__(
        self,
        sc: Scenario,
        proto: Protocol,
        seed: int,
        indices: Sequence[int],
        options: PlanOptions,
        now: datetime,
    ) -> None:
        self.subs = [Subproblem(build(sc, proto, seed, i, options, now), options) for i in indices]

    def shapes(self) -> list[Shape]:
        return [s.shape for s in self.subs]

    def cuts(self, x: Point) -> list[Cut]:
        return [s.cut(x) for s in self.subs]

    def values(self, x: Point) -> list[tuple[float, float]]:
        return [s.value(x) for s in self.subs]
