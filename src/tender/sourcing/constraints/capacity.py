"""Capacity: what each offer can give the lab per month (steps, campus phases online, holder blocks)."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def capacity(data: PlanData, model: LinearModel, v: Vars) -> None:
    """Usage of every offer and month <= its capacity.

    Capacity of an existing offer is `Provider.existing_gpus` (capacity steps plus campus phases
    already online); new capacity a ROFR holder could add is not an offer at all until the holder
    exercises, and then only as a block of what it took, from acceptance + lead time (`rofr_loop`).
    """
    for (o, m), terms in sorted(v.usage_terms.items()):
        model.row(f"cap[{o},{m}]", terms, ub=float(data.offers[o].cap[m - 1]))


def full_racks(data: PlanData, model: LinearModel, v: Vars) -> None:
    """Full-rack-only providers sell whole racks: usage = rack_size x integer racks."""
    for (o, m), terms in sorted(v.usage_terms.items()):
        rack = data.offers[o].rack
        if rack is None:
            continue
        k = model.var(f"racks[{o},{m}]", ub=float(data.offers[o].cap[m - 1] // rack), integer=True)
        v.racks[(o, m)] = k
        model.row(f"rack[{o},{m}]", [*terms, (k, -float(rack))], lb=0.0, ub=0.0)
