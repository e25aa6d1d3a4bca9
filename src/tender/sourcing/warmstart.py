"""A starting plan for the MILP: the LP relaxation's training-run choices, rounded to a feasible set.

HiGHS's own first incumbents on large instances are poor (the gap stalls near 1.5 %), while the LP
relaxation is tight. So, for large models:
1. solve the LP relaxation (`solve.relax`);
2. take runs in decreasing order of their best y; each takes its best (site, start) that still fits
   the capacity left by runs already fixed (an option with y > 0, else none: the run is unplaced);
3. solve the model with those run choices fixed (only racks stay integral): the best plan for them;
4. if that plan is within `mip_gap` of the LP bound it is the answer (the LP relaxation's objective
   is a valid lower bound); else it is HiGHS's starting solution for the full MILP.
"""

from __future__ import annotations

from dataclasses import replace

from tender.sourcing.data import PlanData
from tender.sourcing.solve import NoSolution, Progress, Solution, relax, solve
from tender.sourcing.types import PlanOptions
from tender.sourcing.variables import LinearModel, Vars

MIN_COLS = 200_000  # below this HiGHS finds good incumbents on its own


def wanted(model: LinearModel) -> bool:
    return model.num_integer > 0 and model.num_cols >= MIN_COLS


def round_runs(
    data: PlanData, cols: Vars, model: LinearModel, relaxed: tuple[float, ...]
) -> list[tuple[int, float]]:
    """(column, value) for every run binary and run-unplaced column: a capacity-feasible choice."""
    left: dict[tuple[int, int], float] = {}
    options: dict[int, list[tuple[float, int, int, int, int]]] = {}
    for (r_idx, site, start), y in cols.y.items():
        if model.col_upper[y] <= 0.5 or relaxed[y] <= 1e-6:
            continue
        used = next(
            gpus
            for other_site, other_start, gpus in data.run_options[r_idx]
            if (other_site, other_start) == (site, start)
        )
        options.setdefault(r_idx, []).append((-relaxed[y], site, start, used, y))
    order = sorted(options, key=lambda run_idx: (min(options[run_idx])[0], run_idx))
    chosen: set[int] = set()
    for r_idx in order:
        run = data.runs[r_idx]
        for _neg, site, start, used, y in sorted(options[r_idx]):
            months = range(start, start + run.duration_months)
            room = []
            for month in months:
                usable = [
                    o
                    for o in data.sites[site]
                    if data.offers[o].cap[month - 1] > 0 and data.offers[o].base_usable(month)
                ]
                room.append(
                    sum(left.setdefault((o, month), float(data.offers[o].cap[month - 1])) for o in usable)
                )
            if min(room) < used:
                continue
            for month in months:
                need = float(used)
                for o_idx in data.sites[site]:
                    if (o_idx, month) in left and need > 0:
                        take = min(need, left[(o_idx, month)])
                        left[(o_idx, month)] -= take
                        need -= take
            chosen.add(y)
            break
    out = [(y, 1.0 if y in chosen else 0.0) for _k, y in sorted(cols.y.items())]
    placed = {run_idx for (run_idx, _site, _start), y in cols.y.items() if y in chosen}
    out += [(col, 0.0 if run_idx in placed else 1.0) for run_idx, col in sorted(cols.run_unmet.items())]
    return out


def solve_from_relaxation(
    data: PlanData, cols: Vars, model: LinearModel, options: PlanOptions, progress: Progress | None
) -> Solution | None:
    """Steps 1-4; None when the relaxation or the fixed-run model gives nothing to start from."""
    seed, threads = options.seed, options.threads
    relaxed, bound, spent = relax(
        model, seed=seed, time_limit_s=options.time_limit_s, threads=threads, stop=options.stop
    )
    if not relaxed:
        return None
    runs = round_runs(data, cols, model, relaxed)
    lower, upper = list(model.col_lower), list(model.col_upper)
    for col, value in runs:
        lower[col] = upper[col] = value
    try:
        fixed = solve(
            replace(model, col_lower=lower, col_upper=upper),
            time_limit_s=max(options.time_limit_s - spent, 1.0),
            mip_gap=options.mip_gap,
            seed=seed,
            threads=threads,
            stop=options.stop,
        )
    except NoSolution:
        return None
    spent += fixed.seconds
    gap = (fixed.objective - bound) / max(abs(fixed.objective), 1e-9)
    if gap <= options.mip_gap:
        return Solution(fixed.values, fixed.objective, bound, max(gap, 0.0), "optimal", spent)
    return solve(
        model,
        time_limit_s=options.time_limit_s,
        mip_gap=options.mip_gap,
        progress=progress,
        start=list(enumerate(fixed.values)),
        spent=spent,
        seed=seed,
        threads=threads,
        stop=options.stop,
    )
