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
4. `unbooked(data, booked)` (second pass, `FirstStage.restrict`): a slot booked 0 GPUs is not sold
   at its base price at all (so neither the model nor the repair of rounding can buy it; spot on the
   line stays), and a run option whose window then no longer fits its site is dropped;
5. `idle_usd(booked, scenario, plan)`: what the bookings add to a future's ledger total: the booked
   GPU-hours a placement left idle, at the contract rate, and for contract GPUs above a booking (the
   repair of rounding may add some; it does not know bookings) their price as unmet demand instead
   of at the contract rate (unmet penalty x h100_eq - rate, per GPU-hour).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from tender.domain import Scenario
from tender.sourcing.data import PlanData
from tender.sourcing.types import HOLDER_NEW, Award, Notice, Offer
from tender.sourcing.variables import LinearModel, Vars

Key = tuple[str, str, str, int]  # provider, accelerator, region, month
Bookings = Mapping[Key, int]
Hook = Callable[[PlanData, LinearModel, Vars], None]
ZERO = Decimal(0)


class Placed(Protocol):
    """What steps 1 and 5 read of a plan: a `Plan`, or a study's `finish.Figures`."""

    @property
    def awards(self) -> tuple[Award, ...]: ...

    @property
    def notices(self) -> tuple[Notice, ...]: ...


@dataclass(frozen=True)
class Slot:
    key: Key
    rate: Decimal  # contract USD per GPU-hour
    terms: tuple[tuple[int, float], ...]  # non-spot usage of the slot's offers that month


def bookings_of(p: Placed) -> dict[Key, int]:
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


def _booked_slot(o: Offer, m: int) -> bool:
    return (
        o.kind != HOLDER_NEW
        and o.pricing[m - 1] == "contract"
        and not o.under_reservation(m)
        and o.rate[m - 1] is not None
    )


def unbooked(data: PlanData, booked: Bookings) -> PlanData:
    """Step 4."""
    offers = []
    for o in data.offers:
        rate = tuple(
            None if _booked_slot(o, m) and booked.get((*o.site, m), 0) <= 0 else o.rate[m - 1]
            for m in data.months
        )
        offers.append(o if rate == o.rate else replace(o, rate=rate))

    def holds(site: int, start: int, used: int, months: int) -> bool:
        return all(
            sum(offers[i].cap[m - 1] for i in data.sites[site] if offers[i].base_usable(m)) >= used
            for m in range(start, start + months)
        )

    options = tuple(
        tuple(opt for opt in opts if holds(opt[0], opt[1], opt[2], run.duration_months))
        for run, opts in zip(data.runs, data.run_options, strict=True)
    )
    return replace(data, offers=tuple(offers), run_options=options)


def idle_usd(booked: Bookings, sc: Scenario, p: Placed) -> Decimal:
    """Step 5."""
    used = bookings_of(p)
    hours = sc.calendar.hours_per_month
    total = ZERO
    for key in sorted(set(booked) | set(used)):
        pid, gpu = key[0], key[1]
        rates = sc.providers[pid].rates.get(gpu) if pid in sc.providers else None
        if rates is None or rates.contract is None:
            continue
        extra = used.get(key, 0) - booked.get(key, 0)
        if extra < 0:
            total += -extra * rates.contract * hours
        elif extra > 0:
            eq = sc.accelerators[gpu].h100_eq
            total += extra * (sc.unmet_penalty_usd_per_h100_eq_hour * eq - rates.contract) * hours
    return total
