"""The contract-blind baseline: "cheapest eligible offering first", priced with the same penalties.

Flow, month by month (training runs first, then fleets in scenario order):
1. a run takes the cheapest site (rate per h100_eq-hour) that can hold all its GPUs for its whole
   window at its earliest feasible start; a fleet fills its need from the cheapest offerings up;
2. eligibility is the hard rules only (type, residency, exclusivity, spot only if preemptible, and
   the ROFR outcome: the holder's exercised blocks, which are paid anyway, and third-party
   capacity only as far as it was released); it ignores reservations, take-or-pay minimums and
   commitments when choosing;
3. the result goes through the same award pricing and ledger projection as the plan, so reserved
   blocks, take-or-pay minimums, shortfalls, revenue share and unmet demand cost the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tender.domain import Fleet
from tender.sourcing.data import PlanData
from tender.sourcing.extract import Usage, awards
from tender.sourcing.ledger_projection import Projection, project
from tender.sourcing.repair import Book
from tender.sourcing.types import Award


def _rate(data: PlanData, o_idx: int, m: int, spot: bool) -> Decimal | None:
    o = data.offers[o_idx]
    if spot:
        return o.spot_rate
    if o.under_reservation(m):
        return data.pools[o.pool[m - 1] or 0].rate
    return o.rate[m - 1]


def place(data: PlanData) -> tuple[list[Usage], list[tuple[str, int, Decimal]], list[str]]:
    """Runs first (`_place_run`), then each fleet month by month (`_place_fleet`)."""
    left = Book(data, [])
    uses: list[Usage] = []
    unplaced: list[str] = []
    for r_idx, r in enumerate(data.runs):
        placed = _place_run(data, left, r_idx)
        if placed is None:
            unplaced.append(r.id)
            continue
        for u in placed:
            left.add(u)
        uses.extend(placed)
    unmet: list[tuple[str, int, Decimal]] = []
    for i, f in enumerate(data.fleets):
        allowed = {o: set(ms) for o, ms in data.fleet_offers[i]}
        for m in data.months:
            need = _place_fleet(data, left, f, allowed, m, uses)
            if need > 0:
                unmet.append((f.id, m, need))
    return uses, unmet, unplaced


def _place_fleet(
    data: PlanData, left: Book, f: Fleet, allowed: dict[int, set[int]], m: int, uses: list[Usage]
) -> Decimal:
    """Fill one fleet-month from the cheapest offerings (per h100_eq-hour) up; what is still short."""
    need = f.need(m)
    options: list[tuple[Decimal, int, bool]] = []
    for o in data.offers:
        if m not in allowed.get(o.idx, ()):
            continue
        for spot in (False, True) if f.preemptible_ok and o.spot_usable(m) else (False,):
            rate = _rate(data, o.idx, m, spot)
            if rate is not None:
                options.append((rate / Decimal(str(o.h100_eq)), o.idx, spot))
    for _price, o_idx, spot in sorted(options):
        if need <= 0:
            break
        o = data.offers[o_idx]
        eq = Decimal(str(o.h100_eq))
        room, want = left.room(f.id, o_idx, m), math.ceil(need / eq)
        rack = o.rack or 1  # whole racks where racks are sold
        take = min(math.ceil(want / rack) * rack, (room // rack) * rack)
        if take > 0:
            u = Usage(f.id, o_idx, m, take, spot)
            left.add(u)
            uses.append(u)
            need -= take * eq
    return need


def _place_run(data: PlanData, left: Book, r_idx: int) -> list[Usage] | None:
    """A run at the cheapest site (rate per h100_eq-hour at its start), earliest start first on ties,
    that holds all its GPUs in every month of its window, spread over the site's offers."""
    run = data.runs[r_idx]
    best: tuple[Decimal, int, int, list[Usage]] | None = None
    for si, start, used in data.run_options[r_idx]:
        window = range(start, start + run.duration_months)
        pieces = _run_pieces(data, left, run.id, si, window, used)
        offers = _site_offers(data, si, start)
        if pieces is None or not offers:
            continue
        o = data.offers[offers[0]]
        rate = _rate(data, o.idx, start, False) or Decimal(0)
        key = (rate / Decimal(str(o.h100_eq)), start, si, pieces)
        if best is None or key[:3] < best[:3]:
            best = key
    return None if best is None else best[3]


def _site_offers(data: PlanData, si: int, m: int) -> list[int]:
    """The offers of a site a run may buy from in month `m`, cheapest first."""
    usable = [o for o in data.sites[si] if data.offers[o].cap[m - 1] > 0 and data.offers[o].base_usable(m)]
    return sorted(usable, key=lambda o: (_rate(data, o, m, False) or Decimal(0), o))


def _run_pieces(
    data: PlanData, left: Book, run_id: str, si: int, window: range, used: int
) -> list[Usage] | None:
    """The run's GPUs per month from the site's offers (whole racks where sold), or None if short."""
    pieces: list[Usage] = []
    for m in window:
        need = used
        for o in _site_offers(data, si, m):
            released = data.released(run_id, o, m)
            if released is not None and released < used:
                return None  # the holders did not release the site for the whole run
            rack = data.offers[o].rack or 1
            take = min(need, (left.room(run_id, o, m) // rack) * rack)
            if take > 0:
                pieces.append(Usage(run_id, o, m, take, False))
                need -= take
        if need > 0:
            return None
    return pieces


@dataclass(frozen=True)
class Baseline:
    """The baseline's placement, priced: awards (same notices as the plan), unmet, projection."""

    awards: tuple[Award, ...]
    uses: tuple[Usage, ...]
    unmet: tuple[tuple[str, int, Decimal], ...]
    unplaced: tuple[str, ...]
    projection: Projection


def evaluate(
    data: PlanData,
    notice_of: Mapping[tuple[str, str, str, str, int], str],
    block_clause: Mapping[int, str],
) -> Baseline:
    """Place greedily and price the result exactly like a plan (same notices, same blocks)."""
    uses, unmet, unplaced = place(data)
    priced = awards(data, uses, notice_of, block_clause)
    return Baseline(
        tuple(priced), tuple(uses), tuple(unmet), tuple(unplaced), project(data, priced, unmet, unplaced)
    )
