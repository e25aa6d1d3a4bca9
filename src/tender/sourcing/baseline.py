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

from tender.sourcing.data import PlanData
from tender.sourcing.extract import Usage, awards
from tender.sourcing.ledger_projection import Projection, project
from tender.sourcing.types import Award


def _rate(data: PlanData, o_idx: int, m: int, spot: bool) -> Decimal | None:
    o = data.offers[o_idx]
    if spot:
        return o.spot_rate
    if o.reserved and o.reserved[m - 1] > 0:
        return o.reserved_rate[m - 1]
    return o.rate[m - 1]


def place(data: PlanData) -> tuple[list[Usage], list[tuple[str, int, Decimal]], list[str]]:
    left = {(o.idx, m): o.cap[m - 1] for o in data.offers for m in data.months}
    uses: list[Usage] = []
    unplaced: list[str] = []
    for r_idx, r in enumerate(data.runs):
        best: tuple[Decimal, int, int, int] | None = None
        for si, start, used in data.run_options[r_idx]:
            o_idx = data.sites[si][0]
            window = range(start, start + r.duration_months)
            if any(left[(o_idx, m)] < used for m in window) or not _run_fits(data, r.id, o_idx, window, used):
                continue
            rate = _rate(data, o_idx, start, False)
            if rate is None:
                continue
            key = (rate / Decimal(str(data.offers[o_idx].h100_eq)), start, si, o_idx)
            if best is None or key < best:
                best = key
        if best is None:
            unplaced.append(r.id)
            continue
        _, start, si, o_idx = best
        used = next(u for s2, st2, u in data.run_options[r_idx] if (s2, st2) == (si, start))
        for m in range(start, start + r.duration_months):
            left[(o_idx, m)] -= used
            uses.append(Usage(r.id, o_idx, m, used, False))
    unmet: list[tuple[str, int, Decimal]] = []
    taken: dict[tuple[str, str, str, str, int], int] = {}  # gated GPUs used per (demand, site, month)
    for i, f in enumerate(data.fleets):
        allowed = {o: set(ms) for o, ms in data.fleet_offers[i]}
        for m in data.months:
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
                room = left[(o_idx, m)]
                gate = data.released(f.id, o_idx, m)
                gate_key = (f.id, *o.site, m)
                if gate is not None:
                    room = min(room, gate - taken.get(gate_key, 0))
                want = math.ceil(need / eq)
                if o.rack:
                    want = math.ceil(want / o.rack) * o.rack
                    take = min(want, (room // o.rack) * o.rack)
                else:
                    take = min(want, room)
                if take <= 0:
                    continue
                left[(o_idx, m)] -= take
                taken[gate_key] = taken.get(gate_key, 0) + take
                need -= take * eq
                uses.append(Usage(f.id, o_idx, m, take, spot))
            if need > 0:
                unmet.append((f.id, m, need))
    return uses, unmet, unplaced


def _run_fits(data: PlanData, run_id: str, o_idx: int, window: range, used: int) -> bool:
    """The holders released enough of the site, in every gated month, for the whole run."""
    for m in window:
        released = data.released(run_id, o_idx, m)
        if released is not None and released < used:
            return False
    return True


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
