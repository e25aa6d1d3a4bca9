"""Single-site training runs: one site, one type, contiguous months, all GPUs at once, in the window."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def training_runs(data: PlanData, model: LinearModel, v: Vars) -> None:
    """sum_{site,start} y + unplaced = 1; at a site with several offers the GPUs split across them.

    A column y[r, site, start] exists only for sites of an allowed type whose capacity can ever hold
    the run in every month of its window (`data.run_options`), so the binary is the whole decision:
    the run occupies `gpus` (rounded up to whole racks where racks are sold) for `duration` months.
    """
    for r_idx, r in enumerate(data.runs):
        terms = [(j, 1.0) for (ri, _s, _st), j in v.y.items() if ri == r_idx]
        model.row(f"run_once[{r.id}]", [*terms, (v.run_unmet[r_idx], 1.0)], lb=1.0, ub=1.0)
    split: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for (_r, _o, m, y), zc in v.z.items():
        split.setdefault((y, m), []).append((zc, 1.0))
    used_of = {
        v.y[(r_idx, si, start)]: used
        for r_idx in range(len(data.runs))
        for si, start, used in data.run_options[r_idx]
    }
    for (y, m), zs in sorted(split.items()):
        model.row(f"run_split[{y},{m}]", [*zs, (y, -float(used_of[y]))], lb=0.0, ub=0.0)
