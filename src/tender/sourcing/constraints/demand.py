"""Demand cover: each fleet's h100_eq need per month is met by GPUs x speed factor, or left unmet."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.merge import group_need
from tender.sourcing.variables import LinearModel, Vars


def demand_cover(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """sum_o h100_eq(o) * (x + xs) + unmet >= need, for every fleet and month.

    Residency, exclusivity, accelerator type and spot-only-for-preemptible are enforced by which
    columns exist at all (`data.fleet_offers`, `variables.create`): a forbidden pairing has no column.
    """
    terms: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for (i, o_idx, month), col in (*cols.x.items(), *cols.xs.items()):
        terms.setdefault((i, month), []).append((col, data.offers[o_idx].h100_eq))
    for members in data.groups():  # fleets with one eligibility share columns (`merge`)
        i = members[0]
        for month in data.months:
            row = [*terms.get((i, month), []), (cols.unmet[(i, month)], 1.0)]
            need = group_need(data.fleets, members, month)
            model.row(f"cover[{data.fleets[i].id},{month}]", row, lb=float(need))
