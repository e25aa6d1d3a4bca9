"""Step 1 of the ROFR loop (`rofr_loop`): the needs the first pass shows.

1. `find_needs` groups the first pass's use of gated third-party capacity per (demand, accelerator,
   third party, region, binding rights), new or contracted capacity, and unbroken run of months;
2. `_named` gives each group its need id and `site_price` its best third-party price;
3. `_need_plan` makes the contract engine's `Need`, noticed at the plan instant or when its rights
   come into force if that is later (`NeedPlan.at`).
No protocol here: the first pass (`first_pass.first_pass`) finds its needs before the contract engine loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tender.contracts import Need
from tender.sourcing.data import PlanData
from tender.sourcing.extract import Usage
from tender.sourcing.types import HOLDER_NEW, Offer

GateKey = tuple[str, str, str, str]  # (demand, provider, gpu, region)


@dataclass(frozen=True)
class NeedPlan:
    """A need the first pass shows, ready for the contract engine: the `Need`, its demand and best
    third party, the rights that bind it, whether it is a whole run, and when it is noticed."""

    need: Need  # `third_party` is the best third-party alternative
    demand: str
    provider: str
    rights: tuple[tuple[str, str], ...]  # (clause, holder) of every right that binds it
    indivisible: bool
    at: datetime  # when it is noticed

    @property
    def key(self) -> GateKey:
        return (self.demand, self.provider, self.need.gpu, self.need.region)


def gate_key(demand: str, offer: Offer) -> GateKey:
    return (demand, offer.provider, offer.gpu, offer.region)


Rights = tuple[tuple[str, str], ...]  # (clause, holder) of every right that binds a purchase
Group = tuple[GateKey, Rights, bool, int]  # gate key, binding rights, new capacity, first month


def find_needs(data: PlanData, uses: tuple[Usage, ...]) -> list[NeedPlan]:
    """Step 1: group first-pass usage of gated capacity into needs: one per gate key, binding
    rights, new-or-contracted capacity and unbroken run of months (so the rights the contract
    engine finds for a need are exactly those that gate its months)."""
    by_key: dict[tuple[GateKey, Rights, bool], dict[int, int]] = {}
    for use in uses:
        gate = data.gates.get((use.demand, use.offer, use.month))
        if gate is None:
            continue
        offer = data.offers[use.offer]
        months = by_key.setdefault(
            (gate_key(use.demand, offer), gate.rights, offer.is_new(data.view, use.month)), {}
        )
        months[use.month] = months.get(use.month, 0) + use.gpus
    groups: dict[Group, dict[int, int]] = {}
    for (key, rights, new), months in by_key.items():
        for run in _runs(sorted(months)):
            groups[(key, rights, new, run[0])] = {month: months[month] for month in run}
    return _named(data, groups)


def _runs(months: list[int]) -> list[list[int]]:
    """Split sorted months into unbroken runs."""
    out: list[list[int]] = []
    for month in months:
        if out and out[-1][-1] == month - 1:
            out[-1].append(month)
        else:
            out.append([month])
    return out


def _named(data: PlanData, groups: dict[Group, dict[int, int]]) -> list[NeedPlan]:
    """Need ids: `DEMAND/GPU/THIRD_PARTY`, with `/REGION` and `#k` added only where one would repeat."""
    bases = [f"{k[0]}/{k[2]}/{k[1]}" for k, *_rest in groups]
    seen: dict[str, int] = {}
    out: list[NeedPlan] = []
    for (key, rights, new, start), months in sorted(groups.items(), key=lambda item: (item[0][3], item[0])):
        base = f"{key[0]}/{key[2]}/{key[1]}"
        seen[base] = seen.get(base, 0) + 1
        nid = (
            base
            if bases.count(base) == 1
            else f"{base}/{key[3]}" + (f"#{seen[base]}" if seen[base] > 1 else "")
        )
        price = site_price(data, key, range(start, max(months) + 1))
        out.append(_need_plan(data, nid, key, rights, months, price, new))
    return out


def site_price(data: PlanData, key: GateKey, window: range) -> Decimal:
    """The need's terms: the highest rate the lab could pay the third party at that site in the
    need's months (base, burst, reserved or spot), so no deal it signs beats them."""
    rates: list[Decimal] = []
    for offer in data.offers:
        if (key[0], *offer.site) != key or offer.kind == HOLDER_NEW:
            continue
        for month in window:
            pool = (
                data.pools[pool_idx]
                if offer.pool and (pool_idx := offer.pool[month - 1]) is not None
                else None
            )
            extra = (pool.rate, pool.burst_rate) if pool is not None else ()
            rates.extend(
                price for price in (offer.rate[month - 1], offer.spot_rate, *extra) if price is not None
            )
    return max(rates, default=Decimal(0))


def _need_plan(
    data: PlanData,
    nid: str,
    key: GateKey,
    rights: Rights,
    months: dict[int, int],
    price: Decimal,
    new: bool,
) -> NeedPlan:
    demand, provider, gpu, region = key
    start, end = min(months), max(months)
    classes = {d.id: d.workload_class for d in data.scenario.demands}
    need = Need(
        id=nid,
        workload=demand,
        workload_class=classes[demand],
        gpu=gpu,
        gpus=max(months.values()),
        region=region,
        start=start,
        months=end - start + 1,
        price=price,
        new_capacity=new,
        third_party=provider,
    )
    by_id = {clause.id: clause for clause in data.view.rofrs()}
    now = data.now or data.scenario.calendar.month_start(1)
    at = max(data.view.notice_instant(by_id[clause], start, now) for clause, _holder in rights)
    indivisible = demand in {run.id for run in data.runs}
    return NeedPlan(need, demand, provider, rights, indivisible, at)
