"""Steps 1-6 for one pass: data -> variables -> constraints -> objective -> solve -> usages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tender.sourcing import constraints, objective, variables, warmstart
from tender.sourcing.data import PlanData
from tender.sourcing.extract import Usage, unmet_from, unplaced_runs, usages
from tender.sourcing.repair import top_up
from tender.sourcing.solve import Progress, Solution, solve
from tender.sourcing.types import PlanOptions
from tender.sourcing.variables import LinearModel, Vars


@dataclass(frozen=True)
class Pass:
    """One pass: its data, model and columns, HiGHS's solution, and the usages, unmet demand and
    unplaced runs read from it (rounded and repaired)."""

    data: PlanData
    model: LinearModel
    vars: Vars
    solution: Solution
    usages: tuple[Usage, ...]
    unmet: tuple[tuple[str, int, Decimal], ...]
    unplaced: tuple[str, ...]


def build_model(data: PlanData, options: PlanOptions, constant: Decimal) -> tuple[LinearModel, Vars]:
    model = LinearModel()
    cols = variables.create(data, model, options.integral_gpus)
    constraints.add_all(data, model, cols)
    objective.set_objective(data, model, cols, constant)
    return model, cols


Extend = Callable[[PlanData, LinearModel, Vars], None]


def run_pass(
    data: PlanData,
    options: PlanOptions,
    constant: Decimal,
    progress: Progress | None = None,
    extend: Extend | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Pass:
    """`extend` adds rows and columns to the built model before the solve (`risk.booking.bind`);
    `meanwhile()` runs while HiGHS solves (`solve.solve`), or before a warm-started pass's solves."""
    model, cols = build_model(data, options, constant)
    if extend is not None:
        extend(data, model, cols)
    sol = None
    if warmstart.wanted(model):
        if meanwhile is not None:
            meanwhile()
            meanwhile = None
        sol = warmstart.solve_from_relaxation(data, cols, model, options, progress)
    if sol is None:
        sol = solve(
            model,
            seed=options.seed,
            time_limit_s=options.time_limit_s,
            mip_gap=options.mip_gap,
            threads=options.threads,
            progress=progress,
            stop=options.stop,
            profile=options.profile,
            meanwhile=meanwhile,
        )
    uses = top_up(data, usages(data, cols, sol.values))
    return Pass(
        data,
        model,
        cols,
        sol,
        tuple(uses),
        tuple(unmet_from(data, uses)),
        tuple(unplaced_runs(data, cols, sol.values)),
    )
