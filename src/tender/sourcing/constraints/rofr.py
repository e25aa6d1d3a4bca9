"""ROFR release: third-party capacity in a right's scope only as far as its holders released it."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def rofr_release(data: PlanData, model: LinearModel, v: Vars) -> None:
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
    for (i, o, m), j in (*v.x.items(), *v.xs.items()):
        f = data.fleets[i]
        released = data.released(f.id, o, m)
        if released is not None:
            key = (f.id, *data.offers[o].site, m)
            terms.setdefault(key, []).append((j, 1.0))
            bounds[key] = released
    for key, row in sorted(terms.items()):
        model.row(f"rofr[{','.join(map(str, key))}]", row, ub=float(bounds[key]))
    for (r_idx, si, start), y in v.y.items():
        run = data.runs[r_idx]
        used = next(u for s2, st2, u in data.run_options[r_idx] if (s2, st2) == (si, start))
        for o in data.sites[si]:
            for m in range(start, start + run.duration_months):
                released = data.released(run.id, o, m)
                if released is not None and released < used:
                    model.col_upper[y] = 0.0
