"""Step 4: the objective — billed compute, paid-but-unused commitments, shortfalls, unmet demand.

Costs per column (USD over the horizon):
1. base GPUs: rate x hours (0 inside a paid reservation or a holder block: those are fixed costs);
2. spot GPUs: spot rate x hours; burst above a reservation: burst rate x hours;
3. take-or-pay top-up (paid, unused): rate x hours;
4. committed-spend shortfall: penalty_pct/100 per USD short;
5. unmet demand: the scenario's penalty per h100_eq-hour (a training run left out: its whole size);
6. constants (objective offset): reservations and holder blocks paid whether used, revenue share.
"""

from __future__ import annotations

from decimal import Decimal

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars

CONTRACT, ON_DEMAND, SPOT = "compute_contract", "compute_on_demand", "compute_spot"


def fixed_costs(data: PlanData) -> dict[tuple[str, int], Decimal]:
    """Paid whether used or not, per (provider, month) that has any: reserved blocks, then ROFR
    holder blocks (compute_contract). Each total adds its pools, then its offers, in data order."""
    totals: dict[tuple[str, int], Decimal] = {}
    for pool in data.pools:
        key = (pool.provider, pool.month)
        totals[key] = totals.get(key, Decimal(0)) + pool.reserved * pool.rate * data.hours
    for offer in data.offers:
        if not offer.block_gpus:
            continue
        for month in data.months:
            if offer.block_gpus[month - 1] > 0:
                rate = offer.rate[month - 1] or Decimal(0)
                key = (offer.provider, month)
                totals[key] = totals.get(key, Decimal(0)) + offer.block_gpus[month - 1] * rate * data.hours
    return totals


def _category(pricing: str) -> str:
    return ON_DEMAND if pricing == "on_demand" else CONTRACT


def spend_terms(
    data: PlanData,
    cols: Vars,
    provider: str,
    month: int,
    eligible: frozenset[str] | None,
    fixed: Decimal,
) -> tuple[list[tuple[int, float]], float]:
    """Billed spend with `provider` in `month` as (linear terms, constant), counting only the
    spend categories in `eligible` (None = every category), as the ledger's drawdown does;
    `fixed` is that provider-month's fixed cost (`fixed_costs`)."""

    def counts(category: str) -> bool:
        return eligible is None or category in eligible

    terms: list[tuple[int, float]] = []
    for offer in data.offers:
        if offer.provider != provider:
            continue
        unit = offer.unit_cost(month, data.hours)
        base = counts(_category(offer.pricing[month - 1]))
        for col, coef in cols.usage_terms.get((offer.idx, month), []):
            if col in cols.spot:
                if counts(SPOT) and offer.spot_rate is not None:
                    terms.append((col, float(offer.spot_rate) * data.hours))
            elif unit and base:
                terms.append((col, coef * unit))
        if (offer.idx, month) in cols.topup and counts(CONTRACT):
            rate = offer.rate[month - 1] or Decimal(0)
            terms.append((cols.topup[(offer.idx, month)], float(rate) * data.hours))
    for pool, col in cols.burst.items():
        p = data.pools[pool]
        if (p.provider, p.month) == (provider, month) and counts(_category(p.burst_pricing)):
            terms.append((col, float(p.burst_rate or 0) * data.hours))
    return terms, float(fixed) if counts(CONTRACT) else 0.0


def set_objective(data: PlanData, model: LinearModel, cols: Vars, constant: Decimal) -> None:
    """Put every cost on its column; `constant` (e.g. revenue share) goes to the offset."""
    hours = data.hours
    for (o_idx, month), terms in cols.usage_terms.items():
        unit = data.offers[o_idx].unit_cost(month, hours)
        if not unit:
            continue
        for col, coef in terms:
            if col not in cols.spot:
                model.add_cost(col, coef * unit)
    for (_i, o_idx, _month), col in cols.xs.items():
        rate = data.offers[o_idx].spot_rate
        model.add_cost(col, float(rate or 0) * hours)
    for pool, col in cols.burst.items():
        model.add_cost(col, float(data.pools[pool].burst_rate or 0) * hours)
    for (o_idx, month), col in cols.topup.items():
        model.add_cost(col, float(data.offers[o_idx].rate[month - 1] or 0) * hours)
    pct = {
        commitment.clause.id: float(commitment.clause.penalty_pct_of_shortfall) / 100
        for commitment in data.commitments
    }
    for (cid, _k), col in cols.shortfall.items():
        model.add_cost(col, pct[cid])
    penalty = float(data.unmet_penalty) * hours
    for (_i, _month), col in cols.unmet.items():
        model.add_cost(col, penalty)
    for r_idx, col in cols.run_unmet.items():
        run = data.runs[r_idx]
        h100_eq = max(
            float(data.scenario.accelerators[gpu].h100_eq)
            for gpu in run.gpu_types
            if gpu in data.scenario.accelerators
        )
        model.add_cost(col, penalty * run.gpus * h100_eq * run.duration_months)
    costs = fixed_costs(data)
    fixed = sum(
        (
            costs.get((provider, m), Decimal(0))
            for provider in sorted(data.scenario.providers)
            for m in data.months
        ),
        Decimal(0),
    )
    model.offset = float(fixed + constant)
