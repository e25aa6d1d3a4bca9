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


def _rate(data: PlanData, o_idx: int, month: int, spot: bool) -> Decimal | None:
    offer = data.offers[o_idx]
    if spot:
        return offer.spot_rate
    if offer.under_reservation(month):
        return data.pools[offer.pool[month - 1] or 0].rate
    return offer.rate[month - 1]


def place(data: PlanData) -> tuple[list[Usage], list[tuple[str, int, Decimal]], list[str]]:
    """Runs first (`_place_run`), then each fleet month by month (`_place_fleet`)."""
    left = Book(data, [])
    uses: list[Usage] = []
    unplaced: list[str] = []
    for r_idx, run in enumerate(data.runs):
        placed = _place_run(data, left, r_idx)
        if placed is None:
            unplaced.append(run.id)
            continue
        for use in placed:
            left.add(use)
        uses.extend(placed)
    unmet: list[tuple[str, int, Decimal]] = []
    for i, fleet in enumerate(data.fleets):
        allowed = {o_idx: set(ms) for o_idx, ms in data.fleet_offers[i]}
        for month in data.months:
            need = _place_fleet(data, left, fleet, allowed, month, uses)
            if need > 0:
                unmet.append((fleet.id, month, need))
    return uses, unmet, unplaced


def _place_fleet(
    data: PlanData, left: Book, fleet: Fleet, allowed: dict[int, set[int]], month: int, uses: list[Usage]
) -> Decimal:
    """Fill one fleet-month from the cheapest offerings (per h100_eq-hour) up; what is still short."""
    need = fleet.need(month)
    options: list[tuple[Decimal, int, bool]] = []
    for offer in data.offers:
        if month not in allowed.get(offer.idx, ()):
            continue
        for spot in (False, True) if fleet.preemptible_ok and offer.spot_usable(month) else (False,):
            rate = _rate(data, offer.idx, month, spot)
            if rate is not None:
                options.append((rate / Decimal(str(offer.h100_eq)), offer.idx, spot))
    for _price, o_idx, spot in sorted(options):
        if need <= 0:
            break
        offer = data.offers[o_idx]
        h100_eq = Decimal(str(offer.h100_eq))
        room, want = left.room(fleet.id, o_idx, month), math.ceil(need / h100_eq)
        rack = offer.rack or 1  # whole racks where racks are sold
        take = min(math.ceil(want / rack) * rack, (room // rack) * rack)
        if take > 0:
            use = Usage(fleet.id, o_idx, month, take, spot)
            left.add(use)
            uses.append(use)
            need -= take * h100_eq
    return need


def _place_run(data: PlanData, left: Book, r_idx: int) -> list[Usage] | None:
    """A run at the cheapest site (rate per h100_eq-hour at its start), earliest start first on ties,
    that holds all its GPUs in every month of its window, spread over the site's offers."""
    run = data.runs[r_idx]
    best: tuple[Decimal, int, int, list[Usage]] | None = None
    for site, start, used in data.run_options[r_idx]:
        window = range(start, start + run.duration_months)
        pieces = _run_pieces(data, left, run.id, site, window, used)
        offers = _site_offers(data, site, start)
        if pieces is None or not offers:
            continue
        offer = data.offers[offers[0]]
        rate = _rate(data, offer.idx, start, False) or Decimal(0)
        key = (rate / Decimal(str(offer.h100_eq)), start, site, pieces)
        if best is None or key[:3] < best[:3]:
            best = key
    return None if best is None else best[3]


def _site_offers(data: PlanData, site: int, month: int) -> list[int]:
    """The offers of a site a run may buy from in month `month`, cheapest first."""
    usable = [
        o_idx
        for o_idx in data.sites[site]
        if data.offers[o_idx].cap[month - 1] > 0 and data.offers[o_idx].base_usable(month)
    ]
    return sorted(usable, key=lambda o_idx: (_rate(data, o_idx, month, False) or Decimal(0), o_idx))


def _run_pieces(
    data: PlanData, left: Book, run_id: str, site: int, window: range, used: int
) -> list[Usage] | None:
    """The run's GPUs per month from the site's offers (whole racks where sold), or None if short."""
    pieces: list[Usage] = []
    for month in window:
        need = used
        for o_idx in _site_offers(data, site, month):
            released = data.released(run_id, o_idx, month)
            if released is not None and released < used:
                return None  # the holders did not release the site for the whole run
            rack = data.offers[o_idx].rack or 1
            take = min(need, (left.room(run_id, o_idx, month) // rack) * rack)
            if take > 0:
                pieces.append(Usage(run_id, o_idx, month, take, False))
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
