"""`tender plan --robust`: the SAA two-stage plan as ONE HiGHS model (the extensive form).

1. the ROFR protocol of the scenario as written (`saa_sample.protocol`: the deterministic plan's first
   pass, notices and answers, same seed): its holder blocks and releases are first stage, the same in
   every sample;
2. for each of K samples (`sampler.draw(inputs, seed, i)`, i = 0..K-1, the same futures as
   `tender risk --seed S`), the sample's recourse model (`saa_sample.build`), appended
   block-diagonally with its costs weighted 1/K;
3. the first stage, shared by every sample (non-anticipativity): each sample's local booking and run
   columns are *merged* into one shared column per key (no copies, no linking rows):
   - a booking B[site, month] per contract-priced slot (`booking.slots`): in each sample the slot's
     usage + an idle column (at the contract rate) = B, so B is paid whether used;
   - a binary Y[run, site, start] per run option of any sample: each sample's y of that option
     (at start + the sample's start slip) is at most Y, and sum Y <= 1 per run. A sample where the
     chosen option does not exist (its site cannot hold the run then) leaves the run unplaced (missed);
4. solve once (`solve.solve`, the `extensive` solver profile and the tolerances of `_solve`); the first
   stage is Y (the run slots), B (rounded up to whole GPUs) and the deterministic plan's ROFR answers.
   The objective is the SAA estimate of the expected cost.
5. above START_SAMPLES samples, the solve starts from the first stage of the extensive form of the
   first START_SAMPLES samples (solved first; a partial MIP start: run slots and bookings by key),
   which HiGHS completes (docs/risk.md, "Solving the extensive form").
The model has about K times the columns of one plan: above `AUTO_EXTENSIVE_MAX` samples `solve`
(method `auto`) uses the decomposition instead (`benders.py`, docs/risk.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tender.domain import Scenario
from tender.sourcing.risk.booking import Key
from tender.sourcing.risk.first_stage import FirstStage, RunSlot
from tender.sourcing.risk.saa_sample import RunKey, SampleModel, build, protocol
from tender.sourcing.solve import Solution, solve
from tender.sourcing.types import PlanOptions
from tender.sourcing.variables import LinearModel

START_SAMPLES = 10  # the extensive form of the first 10 samples starts a larger one (and Benders)


@dataclass(frozen=True)
class Robust:
    first: FirstStage
    objective_usd: Decimal  # the SAA objective: mean cost over the K samples, in the model
    samples: int
    columns: int
    rows: int
    status: str
    gap: float
    seconds: float  # HiGHS's own timer, summed over the solves (the start's, the decomposition's)
    method: str = "extensive"
    iterations: int = 0  # the decomposition's iterations (0: the extensive form)
    lower_bound_usd: Decimal | None = None  # the decomposition's proven lower bound


def append(into: LinearModel, part: LinearModel, weight: float, shared: Mapping[int, int]) -> None:
    """Add `part`'s columns (costs times `weight`) and rows to `into`; a column j in `shared` is not
    copied but is `into`'s column shared[j] (it must have cost 0 in `part`)."""
    index: list[int] = []
    for j in range(part.num_cols):
        if j in shared:
            index.append(shared[j])
            continue
        index.append(into.num_cols)
        into.col_lower.append(part.col_lower[j])
        into.col_upper.append(part.col_upper[j])
        into.col_cost.append(part.col_cost[j] * weight)
        into.col_integer.append(part.col_integer[j])
        into.col_name.append(part.col_name[j])
    nnz = len(into.row_index)
    into.row_lower.extend(part.row_lower)
    into.row_upper.extend(part.row_upper)
    into.row_name.extend(part.row_name)
    into.row_index.extend(index[j] for j in part.row_index)
    into.row_value.extend(part.row_value)
    into.row_start.extend(s + nnz for s in part.row_start[1:])
    into.offset += part.offset * weight


@dataclass
class _Shared:
    model: LinearModel
    booked: dict[Key, int]
    runs: dict[RunKey, int]

    def booking(self, key: Key) -> int:
        if key not in self.booked:
            self.booked[key] = self.model.var("B[{},{},{},{}]".format(*key))
        return self.booked[key]

    def run(self, key: RunKey) -> int:
        if key not in self.runs:
            self.runs[key] = self.model.var(f"Y[{key[0]},{','.join(key[1])},{key[2]}]", ub=1.0, integer=True)
        return self.runs[key]

    def add(self, s: SampleModel, weight: float) -> None:
        """Step 3 for one sample: its local first-stage columns become the shared ones."""
        shared = {j: self.booking(k) for k, j in s.booked.items()}
        shared.update({j: self.run(k) for k, j in s.runs.items()})
        append(self.model, s.model, weight, shared)


def _solve(model: LinearModel, options: PlanOptions, start: Sequence[tuple[int, float]] = ()) -> Solution:
    """`solve.solve` with primal and MIP feasibility tolerances of 1e-5 (with the default 1e-7 HiGHS
    rejected its own optimum of the example's extensive form (costs near 1e10) for a residual of
    1.1e-6 GPUs after postsolve, "Solve error") and the `extensive` solver profile (the recourse
    option set with presolve on and pseudo-cost branching: K = 30 of the example solves in 44 CPU-s,
    where HiGHS's defaults had not finished after 300 s; docs/risk.md, "Solving the extensive form")."""
    return solve(
        model,
        seed=options.seed,
        time_limit_s=options.time_limit_s,
        mip_gap=options.mip_gap,
        threads=options.threads,
        stop=options.stop,
        tolerance=1e-5,
        profile="extensive",
        start=start,
    )


def first_stage(
    sc: Scenario, answers: FirstStage, runs: Mapping[RunKey, float], booked: Mapping[Key, float]
) -> FirstStage:
    """The first stage of solved run and booking values: the runs at 1, the bookings rounded up."""
    slots_of: dict[str, RunSlot | None] = dict.fromkeys(r.id for r in sc.training_runs)
    for (run_id, site, start), value in sorted(runs.items()):
        if value > 0.5:
            slots_of[run_id] = RunSlot(site[0], site[1], site[2], start)
    gpus = {k: math.ceil(v - 1e-6) for k, v in sorted(booked.items()) if v > 1e-6}
    return FirstStage(slots_of, answers.answers, gpus)


def extensive_model(sc: Scenario, seed: int, samples: int, options: PlanOptions) -> _Shared:
    """Steps 1-3: the extensive form over samples 0..K-1 of `seed`, with its shared columns."""
    now = sc.calendar.month_start(1)
    proto = protocol(sc, options, now)
    shared = _Shared(LinearModel(), {}, {})
    for i in range(samples):
        shared.add(build(sc, proto, seed, i, options, now), 1.0 / samples)
    for run in sc.training_runs:
        ys = [(j, 1.0) for key, j in shared.runs.items() if key[0] == run.id]
        if ys:
            shared.model.row(f"run_once[{run.id}]", ys, ub=1.0)
    return shared


def solve_extensive(
    sc: Scenario, answers: FirstStage, seed: int, samples: int, options: PlanOptions
) -> Robust:
    """The extensive form over samples 0..K-1 of `seed`; `answers` gives the ROFR answers (the
    deterministic plan's first stage). Step 5: above START_SAMPLES samples (a MIP), HiGHS starts
    from the first stage of the extensive form of the first START_SAMPLES samples."""
    shared = extensive_model(sc, seed, samples, options)
    big = shared.model
    start: list[tuple[int, float]] = []
    spent = 0.0
    if samples > START_SAMPLES and big.num_integer:
        start, spent = _start(sc, seed, options, shared)
    sol = _solve(big, options, start)
    x = sol.values
    first = first_stage(
        sc, answers, {k: x[j] for k, j in shared.runs.items()}, {k: x[j] for k, j in shared.booked.items()}
    )
    objective = Decimal(repr(round(sol.objective, 2)))
    seconds = spent + sol.seconds
    return Robust(first, objective, samples, big.num_cols, big.num_rows, sol.status, sol.gap, seconds)


def _start(
    sc: Scenario, seed: int, options: PlanOptions, into: _Shared
) -> tuple[list[tuple[int, float]], float]:
    """Step 5: the first START_SAMPLES samples' extensive form solved, its run slots (0 or 1) and
    bookings mapped by key onto `into`'s shared columns (a key it lacks: 0), and HiGHS's seconds.
    A partial start: HiGHS completes the recourse columns itself."""
    small = extensive_model(sc, seed, START_SAMPLES, options)
    sol = _solve(small.model, options)
    x = sol.values
    start = [(j, float(round(x[small.runs[k]])) if k in small.runs else 0.0) for k, j in into.runs.items()]
    start += [(j, x[small.booked[k]] if k in small.booked else 0.0) for k, j in into.booked.items()]
    return sorted(start), sol.seconds
