"""Reserved capacity (paid whether used, burst above at its rate) and take-or-pay minimums."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars


def reserved_burst(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """Per reservation pool: burst >= use over every region it covers - reserved, 0 <= burst <= its
    burst room (`reservations.py`)."""
    terms: dict[int, list[tuple[int, float]]] = {}
    for (o_idx, month), row in sorted(cols.usage_terms.items()):
        pool = data.offers[o_idx].pool[month - 1] if data.offers[o_idx].pool else None
        if pool is not None:
            terms.setdefault(pool, []).extend(row)
    for pool, row in sorted(terms.items()):
        reservation = data.pools[pool]
        burst_col = model.var(f"burst[{reservation.clause},{reservation.month}]", ub=float(reservation.burst))
        cols.burst[pool] = burst_col
        model.row(
            f"burst_def[{reservation.clause},{reservation.month}]",
            [*row, (burst_col, -1.0)],
            ub=float(reservation.reserved),
        )


def take_or_pay(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """topup >= minimum - usage: the unused part of a take-or-pay minimum is still paid."""
    for o_idx, offer in enumerate(data.offers):
        for month in data.months:
            minimum = offer.top_min[month - 1] if offer.top_min else 0
            if minimum <= 0:
                continue
            topup_col = model.var(f"topup[{o_idx},{month}]", ub=float(minimum))
            cols.topup[(o_idx, month)] = topup_col
            terms = cols.usage_terms.get((o_idx, month), [])
            model.row(f"top[{o_idx},{month}]", [*terms, (topup_col, 1.0)], lb=float(minimum))
