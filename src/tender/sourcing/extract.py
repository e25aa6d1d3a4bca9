"""Step 6: solution values -> awards (with pricing, clause, notice) and unmet demand.

Awards are integral GPUs per (demand, provider, region, accelerator, month, pricing). Inside a
reservation the first reserved GPUs are `reserved`, the rest burst (priced and labelled by `burst.rate`), split across demands
in demand order so the split is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tender.sourcing.data import PlanData
from tender.sourcing.merge import split
from tender.sourcing.types import HOLDER_NEW, Award, Offer
from tender.sourcing.variables import Vars

EPS = 1e-6


@dataclass(frozen=True)
class Usage:
    """GPUs one demand uses of one offer in one month (`spot`: at the spot rate)."""

    demand: str
    offer: int
    month: int
    gpus: int
    spot: bool


def usages(data: PlanData, cols: Vars, values: tuple[float, ...]) -> list[Usage]:
    """Integral usage per (demand, offer, month, spot).

    1. runs use exactly their GPUs (their binaries are integral; `_run_usages`);
    2. fleet columns are continuous: each is rounded up (gated third-party columns under one GPU
       down), then where an offer-month would pass its capacity (or a whole number of racks) the
       columns rounded up the most give the excess back (`_round_offer`);
    3. both kept within the pools and the ROFR releases. `repair.top_up` then covers what rounding
       left short.
    """
    fixed = _run_usages(data, cols, values)
    taken: dict[tuple[int, int], int] = {}
    for use in fixed:
        taken[(use.offer, use.month)] = taken.get((use.offer, use.month), 0) + use.gpus
    rank = {fleet.id: k for k, fleet in enumerate(data.fleets)}
    raw: dict[tuple[int, int], list[tuple[str, bool, float]]] = {}
    for i, o_idx, month, spot, value in fleet_values(data, cols, values):
        raw.setdefault((o_idx, month), []).append((data.fleets[i].id, spot, value))
    for parts_ in raw.values():
        parts_.sort(key=lambda part: (part[1], rank[part[0]]))
    out = list(fixed)
    for (o_idx, month), parts in sorted(raw.items()):
        solved = sum(coef * values[col] for col, coef in cols.usage_terms.get((o_idx, month), []))
        out.extend(_round_offer(data, o_idx, month, parts, taken.get((o_idx, month), 0), solved))
    return within_pools(data, within_release(data, out))


def _run_usages(data: PlanData, cols: Vars, values: tuple[float, ...]) -> list[Usage]:
    """Step 1: each placed run's GPUs per month of its window, at its site's offers (the solver's
    split where the site has several offers that month, else the first usable one)."""
    fixed: list[Usage] = []
    z_by_y: dict[int, list[tuple[int, int, int]]] = {}
    for (_run_idx, o_idx, month, y), split_col in cols.z.items():
        z_by_y.setdefault(y, []).append((o_idx, month, split_col))
    for (r_idx, site, start), y in sorted(cols.y.items()):
        if values[y] < 0.5:
            continue
        run = data.runs[r_idx]
        used = next(
            gpus
            for other_site, other_start, gpus in data.run_options[r_idx]
            if (other_site, other_start) == (site, start)
        )
        per_month: dict[int, list[tuple[int, float]]] = {}
        for o_idx, month, split_col in sorted(z_by_y.get(y, [])):
            per_month.setdefault(month, []).append((o_idx, values[split_col]))
        for month in range(start, start + run.duration_months):
            if month in per_month:  # several offers at the site this month: the solver's split
                rack = next(
                    (data.offers[i].rack for i, _value in per_month[month] if data.offers[i].rack), None
                )
                pieces = _split(used, per_month[month], rack or 1)
                fixed.extend(Usage(run.id, piece, month, gpus, False) for piece, gpus in pieces if gpus)
                continue
            usable = [
                o_idx
                for o_idx in data.sites[site]
                if data.offers[o_idx].cap[month - 1] > 0 and data.offers[o_idx].base_usable(month)
            ]
            fixed.append(Usage(run.id, usable[0], month, used, False))
    return fixed


def within_pools(data: PlanData, uses: list[Usage]) -> list[Usage]:
    """Rounding up never passes a reservation pool's reserved + burst over its regions: runs keep
    their GPUs first, fleets give back what is above it (`repair.top_up` covers the rest)."""
    left: dict[int, int] = {}
    out: list[Usage] = []
    runs = {run.id for run in data.runs}
    for use in sorted(
        uses, key=lambda use: (use.demand not in runs, use.month, use.demand, use.offer, use.spot)
    ):
        pool = data.pool_of(use.offer, use.month)
        if pool is None:
            out.append(use)
            continue
        room = left.setdefault(pool, data.pools[pool].reserved + data.pools[pool].burst)
        take = min(room, use.gpus)
        left[pool] = room - take
        if take > 0:
            out.append(Usage(use.demand, use.offer, use.month, take, use.spot))
    return out


def _round_offer(
    data: PlanData, o_idx: int, month: int, parts: list[tuple[str, bool, float]], taken: int, solved: float
) -> list[Usage]:
    """Whole GPUs for the fleets' continuous columns at one offer-month (`taken` by runs already):
    each part rounds up (a gated part under one GPU down: noise that would become a notice of its
    own), then the parts rounded up most give back what passes the capacity; where racks are sold
    the offer's total is the solver's whole racks (`solved` GPUs, rounded), the fleets filling it."""
    offer = data.offers[o_idx]
    room = offer.cap[month - 1] - taken
    ups = [
        _Part(demand, spot, value, _rounded(data, demand, o_idx, month, value))
        for demand, spot, value in parts
    ]
    limit = room
    if offer.rack:
        limit = min(room, max(round(solved / offer.rack) * offer.rack - taken, 0))
    _give_back(ups, sum(part.gpus for part in ups) - limit)
    short = limit - sum(part.gpus for part in ups)
    if offer.rack and short > 0 and ups:  # complete the last rack: the largest part takes the rest
        max(ups, key=lambda part: (part.value, part.demand)).gpus += short
    return [Usage(part.demand, o_idx, month, part.gpus, part.spot) for part in ups if part.gpus > 0]


def _rounded(data: PlanData, demand: str, o_idx: int, month: int, value: float) -> int:
    if (demand, o_idx, month) in data.gates and value < 1:
        return _whole(value)
    return math.ceil(value - 1e-6)


@dataclass
class _Part:
    """One fleet's column at one offer-month while it is being rounded."""

    demand: str
    spot: bool
    value: float  # the solver's GPUs
    gpus: int  # whole GPUs so far


def _give_back(ups: list[_Part], excess: int) -> None:
    """Take `excess` GPUs back: first from the parts rounded up the most, then from the largest."""
    for part in sorted(
        ups, key=lambda part: (part.value - math.floor(part.value + 1e-6), part.demand, part.spot)
    ):
        if excess <= 0:
            return
        give = min(excess, part.gpus - math.floor(part.value + 1e-6) if part.gpus > part.value else 0)
        if give > 0:
            part.gpus -= give
            excess -= give
    for part in sorted(ups, key=lambda part: -part.gpus):
        if excess <= 0:
            return
        give = min(excess, part.gpus)
        part.gpus -= give
        excess -= give


def within_release(data: PlanData, uses: list[Usage]) -> list[Usage]:
    """Rounding up never passes what the holders released: gated usage above the bound per
    (demand, provider, accelerator, region, month) is given back (`repair.top_up` covers the rest)."""
    left: dict[tuple[str, str, str, str, int], int] = {}
    out: list[Usage] = []
    for use in sorted(uses, key=lambda u: (u.month, u.demand, u.offer, u.spot)):
        released = data.released(use.demand, use.offer, use.month)
        if released is None:
            out.append(use)
            continue
        key = (use.demand, *data.offers[use.offer].site, use.month)
        room = left.setdefault(key, released)
        take = min(room, use.gpus)
        rack = data.offers[use.offer].rack
        if rack and take < use.gpus:  # give back whole racks: the offer's total stays whole racks
            take = max(use.gpus - math.ceil((use.gpus - take) / rack) * rack, 0)
        left[key] = room - take
        if take > 0:
            out.append(Usage(use.demand, use.offer, use.month, take, use.spot))
    return out


def fleet_values(
    data: PlanData, cols: Vars, values: tuple[float, ...]
) -> list[tuple[int, int, int, bool, float]]:
    """(fleet, offer, month, spot, GPUs) for every positive fleet column, merged groups split back."""
    per: dict[tuple[int, int], list[tuple[int, bool, float]]] = {}
    for spot, table in ((False, cols.x), (True, cols.xs)):
        for (i, o_idx, month), col in table.items():
            if values[col] > EPS:
                per.setdefault((i, month), []).append((o_idx, spot, values[col]))
    h100_eq = {offer.idx: offer.h100_eq for offer in data.offers}
    out: list[tuple[int, int, int, bool, float]] = []
    for members in data.groups():
        for month in data.months:
            parts = per.get((members[0], month))
            if parts:
                for i, o_idx, spot, gpus in split(data.fleets, members, month, parts, h100_eq):
                    if gpus > EPS:
                        out.append((i, o_idx, month, spot, gpus))
    return out


def _whole(value: float) -> int:
    return math.floor(value + 1e-6)


def _split(total: int, parts: list[tuple[int, float]], unit: int = 1) -> list[tuple[int, int]]:
    """Split `total` GPUs across offers in proportion to the solver's values (largest remainder),
    in whole `unit`s (a rack where racks are sold; `total` is then a whole number of them)."""
    split = _split_units(total // unit, [(o_idx, val / unit) for o_idx, val in parts])
    return [(o_idx, gpus * unit) for o_idx, gpus in split]


def _split_units(total: int, parts: list[tuple[int, float]]) -> list[tuple[int, int]]:
    floors = [(o_idx, math.floor(val + 1e-6), val - math.floor(val + 1e-6)) for o_idx, val in parts]
    left = total - sum(floor for _o_idx, floor, _rest in floors)
    order = sorted(range(len(floors)), key=lambda k: (-floors[k][2], floors[k][0]))
    result = [[o_idx, floor] for o_idx, floor, _rest in floors]
    for k in order:
        if left <= 0:
            break
        result[k][1] += 1
        left -= 1
    return [(int(o_idx), int(gpus)) for o_idx, gpus in result]


def unmet_from(data: PlanData, uses: list[Usage]) -> list[tuple[str, int, Decimal]]:
    """Fleet need not covered by the integral usage, exactly (h100_eq)."""
    acc = data.scenario.accelerators
    got: dict[tuple[str, int], Decimal] = {}
    for use in uses:
        h100_eq = acc[data.offers[use.offer].gpu].h100_eq
        got[(use.demand, use.month)] = got.get((use.demand, use.month), Decimal(0)) + h100_eq * use.gpus
    out: list[tuple[str, int, Decimal]] = []
    for fleet in data.fleets:
        for month in data.months:
            short = fleet.need(month) - got.get((fleet.id, month), Decimal(0))
            if short > Decimal("0.001"):
                out.append((fleet.id, month, short))
    return out


def awards(
    data: PlanData,
    uses: list[Usage],
    notice_of: Mapping[tuple[str, str, str, str, int], str],
    block_clause: Mapping[int, str],
) -> list[Award]:
    """Price each usage. `notice_of[(demand, provider, gpu, region, month)]` names the ROFR notice
    that released gated capacity."""
    order = {demand.id: k for k, demand in enumerate(data.scenario.demands)}
    reserved_left: dict[int, int] = {}  # per reservation pool
    # (provider, month) -> the commitment that month's spend draws down first (drawdown order, in force)
    commit_clause: dict[tuple[str, int], str] = {}
    for (
        commitment
    ) in data.commitments:  # already in drawdown order: commitments drawn "after" another come last
        for month in commitment.months:
            commit_clause.setdefault((commitment.clause.provider, month), commitment.clause.id)
    out: list[Award] = []
    for use in sorted(uses, key=lambda use: (use.month, use.offer, order[use.demand], use.spot)):
        offer = data.offers[use.offer]
        gate = data.gates.get((use.demand, use.offer, use.month))
        notice = notice_of.get((use.demand, *offer.site, use.month)) if gate is not None else None
        clause: str | None = gate.clause if gate is not None else None
        if use.spot:
            out.append(_award(use, offer, use.gpus, offer.spot_rate or Decimal(0), "spot", clause, notice))
            continue
        if offer.kind == HOLDER_NEW:
            rate = offer.rate[use.month - 1] or Decimal(0)
            out.append(
                _award(use, offer, use.gpus, rate, "contract", block_clause.get(use.offer), offer.notice)
            )
            continue
        month = use.month
        pool_id = offer.pool[month - 1] if offer.pool else None
        if pool_id is not None:  # the pool's reserved GPUs first, in award order; the rest burst
            pool = data.pools[pool_id]
            left = reserved_left.setdefault(pool_id, pool.reserved)
            in_res = min(left, use.gpus)
            reserved_left[pool_id] = left - in_res
            if in_res:
                out.append(_award(use, offer, in_res, pool.rate, "reserved", pool.clause, notice))
            if use.gpus - in_res:
                burst = pool.burst_rate or Decimal(0)
                out.append(
                    _award(use, offer, use.gpus - in_res, burst, pool.burst_pricing, pool.clause, notice)
                )
            continue
        pricing = offer.pricing[month - 1]
        base_clause = clause or offer.clause[month - 1] or commit_clause.get((offer.provider, month))
        out.append(
            _award(use, offer, use.gpus, offer.rate[month - 1] or Decimal(0), pricing, base_clause, notice)
        )
    return sorted(
        out,
        key=lambda award: (award.month, award.demand, award.provider, award.region, award.gpu, award.pricing),
    )


def _award(
    use: Usage, offer: Offer, gpus: int, rate: Decimal, pricing: str, clause: str | None, notice: str | None
) -> Award:
    return Award(
        use.demand, offer.provider, offer.region, offer.gpu, use.month, gpus, rate, pricing, clause, notice
    )


def unplaced_runs(data: PlanData, cols: Vars, values: tuple[float, ...]) -> list[str]:
    return [data.runs[run_idx].id for run_idx, col in sorted(cols.run_unmet.items()) if values[col] > 0.5]
