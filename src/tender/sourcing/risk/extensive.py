"""`tender plan --robust`: the SAA two-stage plan as ONE HiGHS model (the extensive form).

1. the ROFR protocol of the scenario as written (the deterministic plan's first pass, notices and
   answers, same seed): its holder blocks and releases are first stage, the same in every sample;
2. for each of K samples (`sampler.draw(inputs, seed, i)`, i = 0..K-1, the same futures as
   `tender risk --seed S`), the planner's own second-pass model of that future (`pipeline.build_model`
   on `data.build(future, blocks, releases)`), appended block-diagonally with its costs weighted 1/K;
3. the first stage, shared by every sample (non-anticipativity):
   - a booking B[site, month] per contract-priced slot (`booking.slots`): in each sample the slot's
     usage + an idle column (at the contract rate) = B, so B is paid whether used;
   - a binary Y[run, site, start] per run option of any sample: each sample's y of that option
     (at start + the sample's start slip) equals Y, and sum Y <= 1 per run. A sample where the chosen
     option does not exist (its site cannot hold the run then) must leave the run unplaced (missed);
4. solve once (`solve.solve`); the first stage is Y (the run slots), B (rounded up to whole GPUs) and
   the deterministic plan's ROFR answers. The objective is the SAA estimate of the expected cost.
The model has about K times the columns of one plan: K is bounded by memory and time (docs/risk.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tender.domain import Scenario
from tender.sourcing import data as data_mod
from tender.sourcing import rofr_loop
from tender.sourcing.clauses import ClauseView
from tender.sourcing.ledger_projection import project
from tender.sourcing.pipeline import build_model, run_pass
from tender.sourcing.risk.booking import Key, slots
from tender.sourcing.risk.first_stage import FirstStage, RunSlot
from tender.sourcing.risk.future import apply
from tender.sourcing.risk.sampler import draw, inputs
from tender.sourcing.solve import Solution, solve
from tender.sourcing.types import Offer, PlanOptions
from tender.sourcing.variables import LinearModel

RunKey = tuple[str, tuple[str, str, str], int]  # run, site, start (as planned, before any slip)


@dataclass(frozen=True)
class Robust:
    first: FirstStage
    objective_usd: Decimal  # the SAA objective: mean cost over the K samples, in the model
    samples: int
    columns: int
    rows: int
    status: str
    gap: float
    seconds: float  # HiGHS's own timer


@dataclass(frozen=True)
class Protocol:
    blocks: tuple[Offer, ...]
    bounds: dict[tuple[str, str, str, str], tuple[int | None, ...]]


def protocol(sc: Scenario, options: PlanOptions, now: datetime) -> Protocol:
    """Step 1 (the planner's steps 1-3 on the scenario as written)."""
    first_data = data_mod.build(sc, now=now, view=ClauseView.of(sc))
    first = run_pass(first_data, options, _constant(first_data))
    needs = rofr_loop.find_needs(first_data, first.usages)
    answered = rofr_loop.run_protocol(first_data, needs, options.seed)
    blocks, bounds, _ = rofr_loop.blocks_and_bounds(first_data, answered, len(first_data.offers))
    return Protocol(tuple(blocks), bounds)


def _constant(d: data_mod.PlanData) -> Decimal:
    return project(d, [], [], []).revenue_share_usd


def append(into: LinearModel, part: LinearModel, weight: float) -> int:
    """Add `part`'s columns (costs times `weight`) and rows to `into`; return its first column."""
    base, nnz = into.num_cols, len(into.row_index)
    into.col_lower.extend(part.col_lower)
    into.col_upper.extend(part.col_upper)
    into.col_cost.extend(c * weight for c in part.col_cost)
    into.col_integer.extend(part.col_integer)
    into.col_name.extend(part.col_name)
    into.row_lower.extend(part.row_lower)
    into.row_upper.extend(part.row_upper)
    into.row_name.extend(part.row_name)
    into.row_index.extend(j + base for j in part.row_index)
    into.row_value.extend(part.row_value)
    into.row_start.extend(s + nnz for s in part.row_start[1:])
    into.offset += part.offset * weight
    return base


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


def _sample(
    sc: Scenario,
    proto: Protocol,
    seed: int,
    i: int,
    options: PlanOptions,
    now: datetime,
    shared: _Shared,
    weight: float,
) -> None:
    """Steps 2-3 for sample i."""
    d = draw(inputs(sc), seed, i)
    future = apply(sc, d)
    data = data_mod.build(
        future, extra_offers=proto.blocks, gate_bounds=proto.bounds, now=now, view=ClauseView.of(future)
    )
    part, v = build_model(data, options, _constant(data))
    big = shared.model
    base = append(big, part, weight)
    for s in slots(data, v):
        idle = big.var("idle[{},{},{},{}]".format(*s.key), cost=float(s.rate) * data.hours * weight)
        terms = [(j + base, c) for j, c in s.terms]
        big.row(f"nonant_book[{i}]", [*terms, (idle, 1.0), (shared.booking(s.key), -1.0)], lb=0.0, ub=0.0)
    for (r_idx, si, start), j in v.y.items():
        run = data.runs[r_idx]
        key = (run.id, data.offers[data.sites[si][0]].site, start - d.run_slips.get(run.id, 0))
        big.row(f"nonant_run[{i}]", [(j + base, 1.0), (shared.run(key), -1.0)], lb=0.0, ub=0.0)


def _solve(model: LinearModel, options: PlanOptions) -> Solution:
    """`solve.solve` with primal and MIP feasibility tolerances of 1e-5: with the default 1e-7 HiGHS
    rejected its own optimum of the example's extensive form (costs near 1e10) for a residual of
    1.1e-6 GPUs after postsolve ("Solve error")."""
    return solve(
        model,
        seed=options.seed,
        time_limit_s=options.time_limit_s,
        mip_gap=options.mip_gap,
        threads=options.threads,
        stop=options.stop,
        tolerance=1e-5,
    )


def solve_robust(sc: Scenario, answers: FirstStage, seed: int, samples: int, options: PlanOptions) -> Robust:
    """The extensive form over samples 0..K-1 of `seed`; `answers` gives the ROFR answers (the
    deterministic plan's first stage)."""
    now = sc.calendar.month_start(1)
    proto = protocol(sc, options, now)
    shared = _Shared(LinearModel(), {}, {})
    for i in range(samples):
        _sample(sc, proto, seed, i, options, now, shared, 1.0 / samples)
    for run in sc.training_runs:
        ys = [(j, 1.0) for key, j in shared.runs.items() if key[0] == run.id]
        if ys:
            shared.model.row(f"run_once[{run.id}]", ys, ub=1.0)
    big = shared.model
    sol = _solve(big, options)
    x = sol.values
    slots_of: dict[str, RunSlot | None] = dict.fromkeys(r.id for r in sc.training_runs)
    for (run_id, site, start), j in sorted(shared.runs.items()):
        if x[j] > 0.5:
            slots_of[run_id] = RunSlot(site[0], site[1], site[2], start)
    booked = {k: math.ceil(x[j] - 1e-6) for k, j in sorted(shared.booked.items()) if x[j] > 1e-6}
    first = FirstStage(slots_of, answers.answers, booked)
    objective = Decimal(repr(round(sol.objective, 2)))
    return Robust(first, objective, samples, big.num_cols, big.num_rows, sol.status, sol.gap, sol.seconds)
