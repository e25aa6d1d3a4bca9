"""ROFR release: third-party capacity in a ROFR's scope only as far as the holder released it."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def rofr_release(data: PlanData, model: LinearModel, v: Vars) -> None:
    """Bound gated third-party use per (demand, accelerator, provider, month) by the GPUs the holder released.

    Before notices are answered (`gates_bounded` False, the first pass that finds the best
    third-party alternative) gated capacity is free to use from `gate_from_month` on. Afterwards a
    (demand, accelerator, provider) without a released notice gets nothing from gated capacity.
    """
    if not data.gates_bounded:
        return
    terms: dict[tuple[str, str, str, int], list[tuple[int, float]]] = {}
    for (i, o, m), j in (*v.x.items(), *v.xs.items()):
        f = data.fleets[i]
        if (f.id, o, m) in data.gates:
            offer = data.offers[o]
            terms.setdefault((f.id, offer.gpu, offer.provider, m), []).append((j, 1.0))
    for (demand, gpu, provider, m), row in sorted(terms.items()):
        bound = data.gate_bounds.get((demand, gpu, provider))
        released = bound[m - 1] if bound is not None else 0
        if released is None:
            continue
        model.row(f"rofr[{demand},{gpu},{provider},{m}]", row, ub=float(released))
    for (r_idx, si, start), y in v.y.items():
        run = data.runs[r_idx]
        gated_months = [
            (data.offers[o].gpu, data.offers[o].provider, m)
            for o in data.sites[si]
            for m in range(start, start + run.duration_months)
            if (run.id, o, m) in data.gates
        ]
        used = next(u for s2, st2, u in data.run_options[r_idx] if (s2, st2) == (si, start))
        for gpu, provider, m in gated_months:
            bound = data.gate_bounds.get((run.id, gpu, provider))
            released = bound[m - 1] if bound is not None else 0
            if released is not None and released < used:
                model.col_upper[y] = 0.0
                break
