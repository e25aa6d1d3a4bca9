"""Step 6b: cover, with whole GPUs, what rounding the continuous fleet columns left short.

The model's fleet columns are continuous (integer GPU columns make the MILP far slower), so
`extract.usages` rounds them: up where the offer has room, down on gated third-party capacity and
where an offer is full. What is left short (under one accelerator per fleet-month) is covered here:

1. **top-up**: the cheapest spare capacity the fleet may use that month that opens no new ROFR
   need: capacity no ROFR gates, gated capacity within what the holder released and the plan has not
   used yet (second pass), or, before notices (first pass), gated capacity the fleet already uses for
   that accelerator and provider; where racks are sold, whole racks (ranked by the cost of a rack);
2. **swap**: where those offers are all full (e.g. a workload exclusive to one provider), a fleet
   with such spare capacity elsewhere hands over GPUs of a shared full offer and moves there.

A remainder is never covered by opening a new ROFR need: a notice for one GPU of rounding noise is
worse than the remainder, which the second pass (with the holder's answers) covers again.

So fractional artifacts never become unmet demand or a one-GPU ROFR notice when whole GPUs fit.
"""

from __future__ import annotations

import math
from decimal import Decimal

from tender.sourcing.data import PlanData
from tender.sourcing.extract import Usage


class Book:
    """Running totals over usages: GPUs per offer-month and reservation pool, h100_eq per
    demand-month, gated use per need; `room` is what may still be bought (the baseline uses it too)."""

    def __init__(self, data: PlanData, uses: list[Usage]) -> None:
        self.data = data
        self.used: dict[tuple[int, int], int] = {}
        self.pooled: dict[int, int] = {}  # GPUs used per reservation pool
        self.got: dict[tuple[str, int], Decimal] = {}
        self.gated: dict[tuple[str, str, str, str, int], int] = {}
        self.by_offer: dict[tuple[int, int], dict[str, int]] = {}
        self.preemptible = {fleet.id: fleet.preemptible_ok for fleet in data.fleets}
        self.needs: set[tuple[str, str, str, str]] = set()  # (demand, site) already on gated capacity
        self.out: list[Usage] = []
        for use in uses:
            self.add(use)

    def eq(self, o_idx: int) -> Decimal:
        return self.data.scenario.accelerators[self.data.offers[o_idx].gpu].h100_eq

    def add(self, use: Usage) -> None:
        self.out.append(use)
        key = (use.offer, use.month)
        self.used[key] = self.used.get(key, 0) + use.gpus
        pool = self.data.pool_of(use.offer, use.month)
        if pool is not None:
            self.pooled[pool] = self.pooled.get(pool, 0) + use.gpus
        self.got[(use.demand, use.month)] = (
            self.got.get((use.demand, use.month), Decimal(0)) + self.eq(use.offer) * use.gpus
        )
        if (use.demand, use.offer, use.month) in self.data.gates:
            site = self.data.offers[use.offer].site
            gate_key = (use.demand, *site, use.month)
            self.gated[gate_key] = self.gated.get(gate_key, 0) + use.gpus
            self.needs.add((use.demand, *site))
        if not use.spot:
            row = self.by_offer.setdefault(key, {})
            row[use.demand] = row.get(use.demand, 0) + use.gpus

    def room(self, demand: str, o_idx: int, month: int) -> int:
        """Whole GPUs `demand` may still take from offer `o_idx` in month `month` (capacity and ROFR release)."""
        data = self.data
        offer = data.offers[o_idx]
        spare = offer.cap[month - 1] - self.used.get((o_idx, month), 0)
        released = data.released(demand, o_idx, month)
        if released is not None:
            spare = min(spare, released - self.gated.get((demand, *offer.site, month), 0))
        pool, pool_cap = data.pool_of(o_idx, month), data.pool_cap(o_idx, month)
        if pool is not None and pool_cap is not None:  # a reservation's regions share reserved + burst
            spare = min(spare, pool_cap - self.pooled.get(pool, 0))
        return max(spare, 0)

    def release_room(self, demand: str, o_idx: int, month: int) -> int:
        """GPUs `demand` may still take at `o_idx` in `month` as far as the ROFR release goes (capacity aside)."""
        released = self.data.released(demand, o_idx, month)
        if released is None:
            return 10**12
        site = self.data.offers[o_idx].site
        return max(released - self.gated.get((demand, *site, month), 0), 0)

    def new_need(self, demand: str, o_idx: int, month: int) -> bool:
        """Would a GPU of `o_idx` for `demand` in `month` open a new ROFR need (first pass, gated, not yet used)?"""
        data = self.data
        if (demand, o_idx, month) not in data.gates or data.gates_bounded:
            return False
        return (demand, *data.offers[o_idx].site) not in self.needs

    def options(self, allowed: dict[int, set[int]], demand: str, month: int) -> list[tuple[int, bool]]:
        """(offer, spot) pairs `demand` may top up from in `month` without opening a new ROFR need,
        cheapest first; spot only for a preemptible fleet, as in the model."""
        data = self.data
        preemptible = self.preemptible.get(demand, False)
        keyed: list[tuple[float, int, bool]] = []
        for o_idx, ms in allowed.items():
            offer = data.offers[o_idx]
            if month not in ms or self.new_need(demand, o_idx, month):
                continue
            rack = float(offer.rack or 1)  # a rack offer adds a whole rack: dearer per GPU short
            if offer.base_usable(month):
                keyed.append((offer.unit_cost(month, data.hours) * rack, o_idx, False))
            if preemptible and offer.spot_usable(month):
                keyed.append((float(offer.spot_rate or 0) * data.hours, o_idx, True))
        return [(o_idx, spot) for _cost, o_idx, spot in sorted(keyed)]

    def fill(
        self, demand: str, options: list[tuple[int, bool]], month: int, short: Decimal, skip: int = -1
    ) -> Decimal:
        for o_idx, spot in options:
            if short <= 0:
                break
            room = self.room(demand, o_idx, month) if o_idx != skip else 0
            rack = self.data.offers[o_idx].rack
            if rack:
                room = (room // rack) * rack  # whole racks only: the offer's total stays whole racks
            if room <= 0:
                continue
            want = math.ceil(short / self.eq(o_idx))
            add = min(math.ceil(want / rack) * rack if rack else want, room)
            self.add(Usage(demand, o_idx, month, add, spot))
            short -= self.eq(o_idx) * add
        return short


def top_up(data: PlanData, uses: list[Usage]) -> list[Usage]:
    """Cover every fleet-month's rounding shortfall with whole GPUs: spare capacity opening no new
    ROFR need, then a swap with a fleet that has such spare capacity."""
    book = Book(data, uses)
    allowed = [{o: set(ms) for o, ms in data.fleet_offers[i]} for i in range(len(data.fleets))]
    index = {fleet.id: i for i, fleet in enumerate(data.fleets)}
    for step in ("free", "swap"):
        for i, fleet in enumerate(data.fleets):
            for month in data.months:
                short = fleet.need(month) - book.got.get((fleet.id, month), Decimal(0))
                if short <= 0:
                    continue
                options = book.options(allowed[i], fleet.id, month)
                if step == "free":
                    book.fill(fleet.id, options, month, short)
                    continue
                for o_idx in sorted({o for o, _spot in options}):
                    if short <= 0:
                        break
                    short = _swap(book, allowed, index, fleet.id, o_idx, month, short)
    return _merge(book.out)


def _swap(
    book: Book,
    allowed: list[dict[int, set[int]]],
    index: dict[str, int],
    demand: str,
    o_idx: int,
    month: int,
    short: Decimal,
) -> Decimal:
    """Another fleet on full offer `o_idx` moves GPUs to its own spare capacity; `demand` takes them at `o_idx`."""
    for other, gpus in sorted(book.by_offer.get((o_idx, month), {}).items()):
        if short <= 0:
            break
        if other == demand or other not in index or gpus <= 0:
            continue
        want = min(math.ceil(short / book.eq(o_idx)), gpus, book.release_room(demand, o_idx, month))
        if want <= 0:
            break
        pool = book.data.pool_of(
            o_idx, month
        )  # what `other` frees at `o_idx` goes back to `demand`, not to a pool sibling
        alternatives = [
            (alt, spot)
            for alt, spot in book.options(allowed[index[other]], other, month)
            if alt != o_idx and (pool is None or book.data.pool_of(alt, month) != pool)
        ]
        lost = book.eq(o_idx) * want
        need = sum(
            (book.room(other, alt, month) * book.eq(alt) for alt in {alt for alt, _spot in alternatives}),
            Decimal(0),
        )
        if need < lost:
            continue
        book.add(Usage(other, o_idx, month, -want, False))
        book.fill(other, alternatives, month, lost, skip=o_idx)  # covers `lost`: checked just above
        book.add(Usage(demand, o_idx, month, want, False))
        short -= book.eq(o_idx) * want
    return short


def _merge(uses: list[Usage]) -> list[Usage]:
    total: dict[tuple[str, int, int, bool], int] = {}
    for use in uses:
        key = (use.demand, use.offer, use.month, use.spot)
        total[key] = total.get(key, 0) + use.gpus
    return [
        Usage(demand, o_idx, month, gpus, spot)
        for (demand, o_idx, month, spot), gpus in sorted(total.items())
        if gpus > 0
    ]
