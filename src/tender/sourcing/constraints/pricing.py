"""Reserved capacity (paid whether used, burst above at its rate) and take-or-pay minimums."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def reserved_burst(data: PlanData, model: LinearModel, v: Vars) -> None:
    """Per reservation pool: burst >= use over every region it covers - reserved, 0 <= burst <= its
    burst room (`reservations.py`)."""
    terms: dict[int, list[tuple[int, float]]] = {}
    for (o, m), row in sorted(v.usage_terms.items()):
        pool = data.offers[o].pool[m - 1] if data.offers[o].pool else None
        if pool is not None:
            terms.setdefault(pool, []).extend(row)
    for pool, row in sorted(terms.items()):
        p = data.pools[pool]
        b = model.var(f"burst[{p.clause},{p.month}]", ub=float(p.burst))
        v.burst[pool] = b
        model.row(f"burst_def[{p.clause},{p.month}]", [*row, (b, -1.0)], ub=float(p.reserved))


def take_or_pay(data: PlanData, model: LinearModel, v: Vars) -> None:
    """topup >= minimum - usage: the unused part of a take-or-pay minimum is still paid."""
    for o_idx, offer in enumerate(data.offers):
        for m in data.months:
            minimum = offer.top_min[m - 1] if offer.top_min else 0
            if minimum <= 0:
                continue
            t = model.var(f"topup[{o_idx},{m}]", ub=float(minimum))
            v.topup[(o_idx, m)] = t
            terms = v.usage_terms.get((o_idx, m), [])
            model.row(f"top[{o_idx},{m}]", [*terms, (t, 1.0)], lb=float(minimum))
