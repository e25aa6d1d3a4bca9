"""Capacity: what each offer can give the lab per month (steps, campus phases online, holder blocks)."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def capacity(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """Usage of every offer and month <= its capacity.

    Capacity of an existing offer is `Provider.existing_gpus` (capacity steps plus campus phases
    already online); new capacity a ROFR holder could add is not an offer at all until the holder
    exercises, and then only as a block of what it took, from acceptance + lead time (`rofr_loop`).
    """
    for (o_idx, month), terms in sorted(cols.usage_terms.items()):
        model.row(f"cap[{o_idx},{month}]", terms, ub=float(data.offers[o_idx].cap[month - 1]))


def full_racks(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """Full-rack-only providers sell whole racks: usage = rack_size x integer racks."""
    for (o_idx, month), terms in sorted(cols.usage_terms.items()):
        rack = data.offers[o_idx].rack
        if rack is None:
            continue
        racks = model.var(
            f"racks[{o_idx},{month}]", ub=float(data.offers[o_idx].cap[month - 1] // rack), integer=True
        )
        cols.racks[(o_idx, month)] = racks
        model.row(f"rack[{o_idx},{month}]", [*terms, (racks, -float(rack))], lb=0.0, ub=0.0)
