"""The decomposition of `tender plan --robust`: multi-cut Benders (the L-shaped method).

The first stage x is the extensive form's: a binary Y per run option and a booking B per slot
(`saa_sample`). The K recourses are the subproblems (`subproblems.py`), possibly in a process pool.
1. the master: min (1/K) sum_k theta_k, sum Y <= 1 per run, Y binary, 0 <= B <= the slot's largest
   capacity over the K samples (more can never be used), theta_k >= every cut of sample k;
2. start at `start` (the caller's: `robust.py` gives the extensive form of the first 10 samples;
   default the deterministic plan's first stage): its cuts, then the whole master's value LB;
3. each iteration: the master within a trust region (every B within delta GPUs of the incumbent's,
   the run slots Y at the incumbent's: an LP) proposes x — every BOUND_EVERY-th iteration the whole
   master (Y free, a MIP) does, and its value is the new LB; every sample's LP recourse at x gives
   Q_k(x) and a cut; the incumbent (value UB, the mean of its Q_k) moves to x when the cost fell by a
   tenth of the predicted decrease or more (delta doubles if x was at the region's edge); delta
   halves when a region step cost more, and doubles when the cuts see no decrease in the region;
4. stopping rule: UB - LB <= tol |UB| (tol = the plan's `mip_gap`, `--gap`, default 1e-3; LB is the
   whole master's value: every cut, no region), or MAX_ITERATIONS (then LB is solved once more);
5. the incumbent is priced with each sample's recourse as a MIP (integrality kept): its mean is the
   reported SAA objective and (objective - LB) / objective the reported gap, a proven one (LB is below
   the LP-recourse SAA optimum, which is below the MIP one). The relaxed recourse's run binaries may
   be fractional, so that gap can stay above tol where runs are uncertain (docs/risk.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from tender.domain import Scenario
from tender.sourcing.risk.booking import Key
from tender.sourcing.risk.extensive import Robust, first_stage
from tender.sourcing.risk.first_stage import FirstStage
from tender.sourcing.risk.saa_sample import RunKey
from tender.sourcing.risk.subproblems import Cut, Point, Shape
from tender.sourcing.solve import relax, solve
from tender.sourcing.types import PlanOptions
from tender.sourcing.variables import INF, LinearModel

MAX_ITERATIONS = 30
BOUND_EVERY = 5  # every 5th iteration is a global step: the whole master, its value the lower bound
DELTA0 = 0.1  # the trust region starts at a tenth of the largest slot capacity
TINY = 1e-6  # USD per GPU: reduced costs below are round-off, left out of the cut
SCALE = 1e6  # the master counts theta in millions of USD (cut coefficients near 1)


class Pool(Protocol):
    """The K subproblems, wherever they run; every answer in sample order."""

    def shapes(self) -> list[Shape]: ...

    def cuts(self, x: Point) -> list[Cut]: ...

    def values(self, x: Point) -> list[tuple[float, float]]: ...


@dataclass
class _Master:
    model: LinearModel
    runs: dict[RunKey, int]
    booked: dict[Key, int]
    theta: list[int]
    caps: dict[Key, float]
    cuts: int = 0

    def add(self, c: Cut, x: Point) -> None:
        """theta_k - g x' >= Q_k(x) - g x, in millions of USD (SCALE)."""
        terms = [(self.theta[c.sample], 1.0)]
        rhs = c.value
        for k, g in c.runs:
            if abs(g) > TINY:
                terms.append((self.runs[k], -g / SCALE))
                rhs -= g * x.runs.get(k, 0.0)
        for key, g in c.booked:
            if abs(g) > TINY:
                terms.append((self.booked[key], -g / SCALE))
                rhs -= g * x.booked.get(key, 0.0)
        self.model.row(f"cut[{c.sample},{self.cuts}]", terms, lb=rhs / SCALE)
        self.cuts += 1


def _master(sc: Scenario, shapes: list[Shape]) -> _Master:
    """Step 1."""
    model = LinearModel()
    caps: dict[Key, int] = {}
    keys: set[RunKey] = set()
    for s in shapes:
        keys.update(s.runs)
        for k, cap in s.caps:
            caps[k] = max(caps.get(k, 0), cap)
    runs = {k: model.var(f"Y[{k[0]},{','.join(k[1])},{k[2]}]", ub=1.0, integer=True) for k in sorted(keys)}
    booked = {k: model.var("B[{},{},{},{}]".format(*k), ub=float(c)) for k, c in sorted(caps.items())}
    weight = 1.0 / len(shapes)
    theta = [model.var(f"theta[{s.sample}]", lb=-INF, cost=weight) for s in shapes]
    for run in sc.training_runs:
        ys = [(j, 1.0) for k, j in runs.items() if k[0] == run.id]
        if ys:
            model.row(f"run_once[{run.id}]", ys, ub=1.0)
    return _Master(model, runs, booked, theta, {k: float(c) for k, c in caps.items()})


def _start(first: FirstStage, m: _Master) -> Point:
    """Step 2: a first stage on the master's keys."""
    runs = {
        k: 1.0
        for k in m.runs
        if (slot := first.runs.get(k[0])) is not None
        and (slot.provider, slot.gpu, slot.region) == k[1]
        and slot.start == k[2]
    }
    booked = {
        k: min(float(v), m.model.col_upper[m.booked[k]])
        for k, v in (first.booked or {}).items()
        if k in m.booked
    }
    return Point(runs, booked)


@dataclass
class Trace:
    """What the loop did: per iteration (UB so far, LB), and HiGHS's seconds in all."""

    bounds: list[tuple[float, float]] = field(default_factory=list)
    seconds: float = 0.0


def _next(m: _Master, options: PlanOptions, trace: Trace) -> tuple[Point, float]:
    """The master's solution and its value (its dual bound), in USD: its LP relaxation when that
    has every Y at 0 or 1 (then it is the MIP's optimum too), else the MIP."""
    x, bound, seconds = relax(m.model, seed=options.seed, time_limit_s=options.time_limit_s)
    trace.seconds += seconds
    if not x or any(1e-6 < x[j] < 1 - 1e-6 for j in m.runs.values()):
        sol = solve(m.model, seed=options.seed, time_limit_s=options.time_limit_s, mip_gap=1e-9)
        trace.seconds += sol.seconds
        x, bound = sol.values, sol.bound
    runs = {k: 1.0 for k, j in m.runs.items() if x[j] > 0.5}
    booked = {k: max(x[j], 0.0) for k, j in m.booked.items() if x[j] > 1e-9}
    return Point(runs, booked), bound * SCALE


def _box(m: _Master, centre: Point | None, delta: float) -> None:
    """Step 3's trust region: each B within delta GPUs of the incumbent's and every Y at the
    incumbent's (an LP); None: the whole master (Y binary, B over its whole range)."""
    for k, j in m.booked.items():
        b = 0.0 if centre is None else centre.booked.get(k, 0.0)
        m.model.col_lower[j] = 0.0 if centre is None else max(0.0, b - delta)
        m.model.col_upper[j] = m.caps[k] if centre is None else min(m.caps[k], b + delta)
    for r, j in m.runs.items():
        y = 0.0 if centre is None else centre.runs.get(r, 0.0)
        m.model.col_lower[j] = y
        m.model.col_upper[j] = 1.0 if centre is None else y


@dataclass
class _Region:
    """The incumbent, its value and the trust region's half-width (step 3's rule)."""

    x: Point
    value: float
    delta: float

    def update(self, x: Point, value: float, predicted: float, hit: bool | None) -> None:
        """`hit`: x is at the region's edge; None: x is the whole master's (delta unchanged)."""
        decrease = self.value - value
        if decrease >= 0.1 * (self.value - predicted):  # a serious step
            if hit:
                self.delta *= 2
            self.x, self.value = x, value
        elif decrease < 0 and hit is not None:
            self.delta = max(self.delta / 2, 1.0)


def _cuts(pool: Pool, m: _Master, x: Point, trace: Trace) -> float:
    cuts = pool.cuts(x)
    trace.seconds += sum(c.seconds for c in cuts)
    for c in cuts:
        m.add(c, x)
    return sum(c.value for c in cuts) / len(cuts)


def _bound(m: _Master, options: PlanOptions, trace: Trace) -> float:
    """The whole master's value: a lower bound of the SAA problem."""
    _box(m, None, 0.0)
    return _next(m, options, trace)[1]


def solve_benders(
    sc: Scenario,
    answers: FirstStage,
    pool: Pool,
    options: PlanOptions,
    start: FirstStage | None = None,
    max_iterations: int = MAX_ITERATIONS,
) -> Robust:
    """Steps 1-5; `answers`: the deterministic plan's first stage (its ROFR answers); `start`: the
    first stage to start from (default: `answers`)."""
    shapes = pool.shapes()
    m = _master(sc, shapes)
    x = _start(start or answers, m)
    trace = Trace()
    region = _Region(x, _cuts(pool, m, x, trace), DELTA0 * max(m.caps.values(), default=1.0))
    lb, iterations, status = _bound(m, options, trace), 1, "iteration_limit"
    while iterations < max_iterations:
        trace.bounds.append((region.value, lb))
        if region.value - lb <= options.mip_gap * abs(region.value):
            status = "converged"
            break
        iterations += 1
        if iterations % BOUND_EVERY == 0:  # a global step: the whole master (run slots free)
            _box(m, None, 0.0)
            x, predicted = _next(m, options, trace)
            lb, hit = max(lb, predicted), None
        else:
            _box(m, region.x, region.delta)
            x, predicted = _next(m, options, trace)
            hit = any(
                abs(x.booked.get(k, 0.0) - region.x.booked.get(k, 0.0)) >= 0.999 * region.delta
                for k in m.booked
            )
            if region.value - predicted <= 1e-9 * abs(region.value):  # nothing better in the region
                region.delta *= 2
                continue
        region.update(x, _cuts(pool, m, x, trace), predicted, hit)
    if status != "converged":
        lb = max(lb, _bound(m, options, trace))
    values = pool.values(region.x)
    trace.seconds += sum(s for _v, s in values)
    objective = sum(v for v, _s in values) / len(values)
    gap = max(objective - lb, 0.0) / max(abs(objective), 1e-9)
    first = first_stage(sc, answers, region.x.runs, region.x.booked)
    return Robust(
        first,
        Decimal(repr(round(objective, 2))),
        len(shapes),
        m.model.num_cols,
        m.model.num_rows,
        status,
        gap,
        trace.seconds,
        method="benders",
        iterations=iterations,
        lower_bound_usd=Decimal(repr(round(lb, 2))),
    )
