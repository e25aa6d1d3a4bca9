"""Reserved capacity (paid whether used, burst above at on-demand) and take-or-pay minimums."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def reserved_burst(data: PlanData, model: LinearModel, v: Vars) -> None:
    """burst >= usage - reserved, 0 <= burst <= burst_max, in every month a reservation runs."""
    for (o, m), terms in sorted(v.usage_terms.items()):
        offer = data.offers[o]
        reserved = offer.reserved[m - 1] if offer.reserved else 0
        if reserved <= 0:
            continue
        b = model.var(f"burst[{o},{m}]", ub=float(offer.burst_max[m - 1]))
        v.burst[(o, m)] = b
        model.row(f"burst_def[{o},{m}]", [*terms, (b, -1.0)], ub=float(reserved))


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
