"""ROFR release: third-party capacity in a right's scope only as far as its holders released it."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def rofr_release(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """Bound gated third-party use per (demand, provider, accelerator, region, month) by the GPUs
    the holders released (`PlanData.released`).

    Before notices are answered (`gates_bounded` False, the first pass that finds the best
    third-party alternative) gated capacity is free to use in the months an answer can precede.
    Afterwards gated capacity without a released notice gets nothing; a run whose site is gated
    in a month below its GPUs cannot start there.
    """
    if not data.gates_bounded:
        return
    terms: dict[tuple[str, str, str, str, int], list[tuple[int, float]]] = {}
    bounds: dict[tuple[str, str, str, str, int], int] = {}
    for (i, o_idx, month), col in (*cols.x.items(), *cols.xs.items()):
        fleet = data.fleets[i]
        released = data.released(fleet.id, o_idx, month)
        if released is not None:
            key = (fleet.id, *data.offers[o_idx].site, month)
            terms.setdefault(key, []).append((col, 1.0))
            bounds[key] = released
    for key, row in sorted(terms.items()):
        model.row(f"rofr[{','.join(map(str, key))}]", row, ub=float(bounds[key]))
    for (r_idx, site, start), run_col in cols.y.items():
        run = data.runs[r_idx]
        used = next(
            gpus
            for other_site, other_start, gpus in data.run_options[r_idx]
            if (other_site, other_start) == (site, start)
        )
        for o_idx in data.sites[site]:
            for month in range(start, start + run.duration_months):
                released = data.released(run.id, o_idx, month)
                if released is not None and released < used:
                    model.col_upper[run_col] = 0.0
