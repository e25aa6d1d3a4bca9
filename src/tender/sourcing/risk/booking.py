"""Contract capacity booked in the first stage: paid whether used, the only contract capacity there is.

A *booking* is a number of GPUs per (provider, accelerator, region, month) at the provider's contract
rate, signed before the future is known (`tender plan --robust`, docs/risk.md "The extensive form").
1. `bookings_of(plan)`: what a plan books, the GPUs of its contract-priced awards per site-month
   (third-party capacity a holder released included; awards on a holder's own block, and reserved /
   take-or-pay / spot / on-demand awards, are not bookings);
2. `slots(data)`: the model's booked slots — every offer-month whose base pricing is `contract`
   (an existing line or direct new capacity, not a holder block, not inside a reservation), grouped
   by site-month, with the non-spot usage terms and the contract rate;
3. `bind(booked)`: a model hook for the recourse (`pipeline.run_pass(extend=...)`): per slot,
   usage + idle = booked (an idle column at the contract rate), so the booked GPUs are paid whether
   used, and no slot gives more than its booking (a slot never booked gives nothing);
4. `idle_usd(booked, scenario, plan)`: the booked GPU-hours a placement left idle, at the contract
   rate (the ledger bills the used part through the awards; this is the rest).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from tender.domain import Scenario
from tender.sourcing.data import HOLDER_NEW, PlanData
from tender.sourcing.types import Plan
from tender.sourcing.variables import LinearModel, Vars

Key = tuple[str, str, str, int]  # provider, accelerator, region, month
Bookings = Mapping[Key, int]
Hook = Callable[[PlanData, LinearModel, Vars], None]
ZERO = Decimal(0)


@dataclass(frozen=True)
class Slot:
    key: Key
    rate: Decimal  # contract USD per GPU-hour
    terms: tuple[tuple[int, float], ...]  # non-spot usage of the slot's offers that month


def bookings_of(p: Plan) -> dict[Key, int]:
    blocks = {(n.id, n.holder) for n in p.notices}  # an award citing its own holder's notice: a block
    out: dict[Key, int] = {}
    for a in p.awards:
        if a.pricing == "contract" and (a.notice, a.provider) not in blocks:
            key = (a.provider, a.gpu, a.region, a.month)
            out[key] = out.get(key, 0) + a.gpus
    return dict(sorted(out.items()))


def slots(data: PlanData, v: Vars) -> list[Slot]:
    grouped: dict[Key, list[tuple[int, float]]] = {}
    rates: dict[Key, Decimal] = {}
    for o in data.offers:
        if o.kind == HOLDER_NEW:
            continue
        for m in data.months:
            rate = o.rate[m - 1]
            if o.pricing[m - 1] != "contract" or o.under_reservation(m) or rate is None:
                continue
            key = (*o.site, m)
            terms = [(j, c) for j, c in v.usage_terms.get((o.idx, m), []) if j not in v.spot]
            grouped.setdefault(key, []).extend(terms)
            rates[key] = rate
    return [Slot(k, rates[k], tuple(grouped[k])) for k in sorted(grouped)]


def bind(booked: Bookings) -> Hook:
    """Step 3 as a hook on one pass's model."""

    def extend(data: PlanData, model: LinearModel, v: Vars) -> None:
        for s in slots(data, v):
            gpus = float(booked.get(s.key, 0))
            name = "{},{},{},{}".format(*s.key)
            idle = model.var(f"idle[{name}]", ub=gpus, cost=float(s.rate) * data.hours)
            model.row(f"booked[{name}]", [*s.terms, (idle, 1.0)], lb=gpus, ub=gpus)

    return extend


def idle_usd(booked: Bookings, sc: Scenario, p: Plan) -> Decimal:
    used = bookings_of(p)
    total = ZERO
    for (pid, gpu, region, m), gpus in sorted(booked.items()):
        idle = gpus - used.get((pid, gpu, region, m), 0)
        rates = sc.providers[pid].rates.get(gpu) if pid in sc.providers else None
        if idle > 0 and rates is not None and rates.contract is not None:
            total += idle * rates.contract * sc.calendar.hours_per_month
    return total
