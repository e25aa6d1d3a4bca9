"""Single-site training runs: one site, one type, contiguous months, all GPUs at once, in the window."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def training_runs(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """sum_{site,start} y + unplaced = 1; at a site with several offers the GPUs split across them.

    A column y[r, site, start] exists only for sites of an allowed type whose capacity can ever hold
    the run in every month of its window (`data.run_options`), so the binary is the whole decision:
    the run occupies `gpus` (rounded up to whole racks where racks are sold) for `duration` months.
    """
    for r_idx, run in enumerate(data.runs):
        terms = [(col, 1.0) for (run_idx, _site, _start), col in cols.y.items() if run_idx == r_idx]
        model.row(f"run_once[{run.id}]", [*terms, (cols.run_unmet[r_idx], 1.0)], lb=1.0, ub=1.0)
    split: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for (_run, _o_idx, month, y), split_col in cols.z.items():
        split.setdefault((y, month), []).append((split_col, 1.0))
    used_of = {
        cols.y[(r_idx, site, start)]: used
        for r_idx in range(len(data.runs))
        for site, start, used in data.run_options[r_idx]
    }
    for (y, month), splits in sorted(split.items()):
        model.row(f"run_split[{y},{month}]", [*splits, (y, -float(used_of[y]))], lb=0.0, ub=0.0)
