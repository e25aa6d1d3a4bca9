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
        self.preemptible = {f.id: f.preemptible_ok for f in data.fleets}
        self.needs: set[tuple[str, str, str, str]] = set()  # (demand, site) already on gated capacity
        self.out: list[Usage] = []
        for u in uses:
            self.add(u)

    def eq(self, o: int) -> Decimal:
        return self.data.scenario.accelerators[self.data.offers[o].gpu].h100_eq

    def add(self, u: Usage) -> None:
        self.out.append(u)
        key = (u.offer, u.month)
        self.used[key] = self.used.get(key, 0) + u.gpus
        pool = self.data.pool_of(u.offer, u.month)
        if pool is not None:
            self.pooled[pool] = self.pooled.get(pool, 0) + u.gpus
        self.got[(u.demand, u.month)] = (
            self.got.get((u.demand, u.month), Decimal(0)) + self.eq(u.offer) * u.gpus
        )
        if (u.demand, u.offer, u.month) in self.data.gates:
            site = self.data.offers[u.offer].site
            g = (u.demand, *site, u.month)
            self.gated[g] = self.gated.get(g, 0) + u.gpus
            self.needs.add((u.demand, *site))
        if not u.spot:
            row = self.by_offer.setdefault(key, {})
            row[u.demand] = row.get(u.demand, 0) + u.gpus

    def room(self, demand: str, o: int, m: int) -> int:
        """Whole GPUs `demand` may still take from offer `o` in month `m` (capacity and ROFR release)."""
        data = self.data
        offer = data.offers[o]
        spare = offer.cap[m - 1] - self.used.get((o, m), 0)
        released = data.released(demand, o, m)
        if released is not None:
            spare = min(spare, released - self.gated.get((demand, *offer.site, m), 0))
        pool, pool_cap = data.pool_of(o, m), data.pool_cap(o, m)
        if pool is not None and pool_cap is not None:  # a reservation's regions share reserved + burst
            spare = min(spare, pool_cap - self.pooled.get(pool, 0))
        return max(spare, 0)

    def release_room(self, demand: str, o: int, m: int) -> int:
        """GPUs `demand` may still take at `o` in `m` as far as the ROFR release goes (capacity aside)."""
        released = self.data.released(demand, o, m)
        if released is None:
            return 10**12
        site = self.data.offers[o].site
        return max(released - self.gated.get((demand, *site, m), 0), 0)

    def new_need(self, demand: str, o: int, m: int) -> bool:
        """Would a GPU of `o` for `demand` in `m` open a new ROFR need (first pass, gated, not yet used)?"""
        data = self.data
        if (demand, o, m) not in data.gates or data.gates_bounded:
            return False
        return (demand, *data.offers[o].site) not in self.needs

    def options(self, allowed: dict[int, set[int]], demand: str, m: int) -> list[tuple[int, bool]]:
        """(offer, spot) pairs `demand` may top up from in `m` without opening a new ROFR need,
        cheapest first; spot only for a preemptible fleet, as in the model."""
        data = self.data
        preemptible = self.preemptible.get(demand, False)
        keyed: list[tuple[float, int, bool]] = []
        for o, ms in allowed.items():
            offer = data.offers[o]
            if m not in ms or self.new_need(demand, o, m):
                continue
            rack = float(offer.rack or 1)  # a rack offer adds a whole rack: dearer per GPU short
            if offer.base_usable(m):
                keyed.append((offer.unit_cost(m, data.hours) * rack, o, False))
            if preemptible and offer.spot_usable(m):
                keyed.append((float(offer.spot_rate or 0) * data.hours, o, True))
        return [(o, spot) for _c, o, spot in sorted(keyed)]

    def fill(
        self, demand: str, options: list[tuple[int, bool]], m: int, short: Decimal, skip: int = -1
    ) -> Decimal:
        for o, spot in options:
            if short <= 0:
                break
            room = self.room(demand, o, m) if o != skip else 0
            rack = self.data.offers[o].rack
            if rack:
                room = (room // rack) * rack  # whole racks only: the offer's total stays whole racks
            if room <= 0:
                continue
            want = math.ceil(short / self.eq(o))
            add = min(math.ceil(want / rack) * rack if rack else want, room)
            self.add(Usage(demand, o, m, add, spot))
            short -= self.eq(o) * add
        return short


def top_up(data: PlanData, uses: list[Usage]) -> list[Usage]:
    """Cover every fleet-month's rounding shortfall with whole GPUs: spare capacity opening no new
    ROFR need, then a swap with a fleet that has such spare capacity."""
    book = Book(data, uses)
    allowed = [{o: set(ms) for o, ms in data.fleet_offers[i]} for i in range(len(data.fleets))]
    index = {f.id: i for i, f in enumerate(data.fleets)}
    for step in ("free", "swap"):
        for i, f in enumerate(data.fleets):
            for m in data.months:
                short = f.need(m) - book.got.get((f.id, m), Decimal(0))
                if short <= 0:
                    continue
                options = book.options(allowed[i], f.id, m)
                if step == "free":
                    book.fill(f.id, options, m, short)
                    continue
                for o in sorted({o for o, _spot in options}):
                    if short <= 0:
                        break
                    short = _swap(book, allowed, index, f.id, o, m, short)
    return _merge(book.out)


def _swap(
    book: Book,
    allowed: list[dict[int, set[int]]],
    index: dict[str, int],
    demand: str,
    o: int,
    m: int,
    short: Decimal,
) -> Decimal:
    """Another fleet on full offer `o` moves GPUs to its own spare capacity; `demand` takes them at `o`."""
    for other, gpus in sorted(book.by_offer.get((o, m), {}).items()):
        if short <= 0:
            break
        if other == demand or other not in index or gpus <= 0:
            continue
        want = min(math.ceil(short / book.eq(o)), gpus, book.release_room(demand, o, m))
        if want <= 0:
            break
        pool = book.data.pool_of(
            o, m
        )  # what `other` frees at `o` goes back to `demand`, not to a pool sibling
        alternatives = [
            (a, sp)
            for a, sp in book.options(allowed[index[other]], other, m)
            if a != o and (pool is None or book.data.pool_of(a, m) != pool)
        ]
        lost = book.eq(o) * want
        need = sum((book.room(other, a, m) * book.eq(a) for a in {a for a, _sp in alternatives}), Decimal(0))
        if need < lost:
            continue
        book.add(Usage(other, o, m, -want, False))
        book.fill(other, alternatives, m, lost, skip=o)  # covers `lost`: checked just above
        book.add(Usage(demand, o, m, want, False))
        short -= book.eq(o) * want
    return short


def _merge(uses: list[Usage]) -> list[Usage]:
    total: dict[tuple[str, int, int, bool], int] = {}
    for u in uses:
        key = (u.demand, u.offer, u.month, u.spot)
        total[key] = total.get(key, 0) + u.gpus
    return [Usage(d, o, m, g, s) for (d, o, m, s), g in sorted(total.items()) if g > 0]
