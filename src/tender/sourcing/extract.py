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
    demand: str
    offer: int
    month: int
    gpus: int
    spot: bool


def usages(data: PlanData, v: Vars, values: tuple[float, ...]) -> list[Usage]:
    """Integral usage per (demand, offer, month, spot).

    Fleet columns are continuous: each is rounded up (gated third-party columns under one GPU down), then where an
    offer-month would pass its capacity (or a whole number of racks) the columns rounded up the most
    give the excess back. `repair.top_up` then covers what rounding left short.
    Runs use exactly their GPUs (their binaries are integral).
    """
    rank = {f.id: k for k, f in enumerate(data.fleets)}
    fixed: list[Usage] = []
    z_by_y: dict[int, list[tuple[int, int, int]]] = {}
    for (_r, o, m, y), zc in v.z.items():
        z_by_y.setdefault(y, []).append((o, m, zc))
    for (r_idx, si, start), y in sorted(v.y.items()):
        if values[y] < 0.5:
            continue
        run = data.runs[r_idx]
        used = next(u for s2, st2, u in data.run_options[r_idx] if (s2, st2) == (si, start))
        per_month: dict[int, list[tuple[int, float]]] = {}
        for o, m, zc in sorted(z_by_y.get(y, [])):
            per_month.setdefault(m, []).append((o, values[zc]))
        for m in range(start, start + run.duration_months):
            if m in per_month:  # several offers at the site this month: the solver's split
                rack = next((data.offers[o].rack for o, _v in per_month[m] if data.offers[o].rack), None)
                pieces = _split(used, per_month[m], rack or 1)
                fixed.extend(Usage(run.id, o, m, g, False) for o, g in pieces if g)
                continue
            usable = [
                o for o in data.sites[si] if data.offers[o].cap[m - 1] > 0 and data.offers[o].base_usable(m)
            ]
            fixed.append(Usage(run.id, usable[0], m, used, False))
    taken: dict[tuple[int, int], int] = {}
    for u in fixed:
        taken[(u.offer, u.month)] = taken.get((u.offer, u.month), 0) + u.gpus
    raw: dict[tuple[int, int], list[tuple[str, bool, float]]] = {}
    for i, o, m, spot, value in fleet_values(data, v, values):
        raw.setdefault((o, m), []).append((data.fleets[i].id, spot, value))
    for parts_ in raw.values():
        parts_.sort(key=lambda p: (p[1], rank[p[0]]))
    out = list(fixed)
    for (o, m), parts in sorted(raw.items()):
        solved = sum(coef * values[j] for j, coef in v.usage_terms.get((o, m), []))
        out.extend(_round_offer(data, o, m, parts, taken.get((o, m), 0), solved))
    return within_pools(data, within_release(data, out))


def within_pools(data: PlanData, uses: list[Usage]) -> list[Usage]:
    """Rounding up never passes a reservation pool's reserved + burst over its regions: runs keep
    their GPUs first, fleets give back what is above it (`repair.top_up` covers the rest)."""
    left: dict[int, int] = {}
    out: list[Usage] = []
    runs = {r.id for r in data.runs}
    for u in sorted(uses, key=lambda u: (u.demand not in runs, u.month, u.demand, u.offer, u.spot)):
        pool = data.pool_of(u.offer, u.month)
        if pool is None:
            out.append(u)
            continue
        room = left.setdefault(pool, data.pools[pool].reserved + data.pools[pool].burst)
        take = min(room, u.gpus)
        left[pool] = room - take
        if take > 0:
            out.append(Usage(u.demand, u.offer, u.month, take, u.spot))
    return out


def _round_offer(
    data: PlanData, o: int, m: int, parts: list[tuple[str, bool, float]], taken: int, solved: float
) -> list[Usage]:
    """Whole GPUs for the fleets' continuous columns at one offer-month (`taken` by runs already):
    each part rounds up (a gated part under one GPU down: noise that would become a notice of its
    own), then the parts rounded up most give back what passes the capacity; where racks are sold
    the offer's total is the solver's whole racks (`solved` GPUs, rounded), the fleets filling it."""
    offer = data.offers[o]
    room = offer.cap[m - 1] - taken
    ups = [_Part(d, spot, value, _rounded(data, d, o, m, value)) for d, spot, value in parts]
    limit = room
    if offer.rack:
        limit = min(room, max(round(solved / offer.rack) * offer.rack - taken, 0))
    _give_back(ups, sum(u.gpus for u in ups) - limit)
    short = limit - sum(u.gpus for u in ups)
    if offer.rack and short > 0 and ups:  # complete the last rack: the largest part takes the rest
        max(ups, key=lambda u: (u.value, u.demand)).gpus += short
    return [Usage(u.demand, o, m, u.gpus, u.spot) for u in ups if u.gpus > 0]


def _rounded(data: PlanData, demand: str, o: int, m: int, value: float) -> int:
    if (demand, o, m) in data.gates and value < 1:
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
    for u in sorted(ups, key=lambda u: (u.value - math.floor(u.value + 1e-6), u.demand, u.spot)):
        if excess <= 0:
            return
        give = min(excess, u.gpus - math.floor(u.value + 1e-6) if u.gpus > u.value else 0)
        if give > 0:
            u.gpus -= give
            excess -= give
    for u in sorted(ups, key=lambda u: -u.gpus):
        if excess <= 0:
            return
        give = min(excess, u.gpus)
        u.gpus -= give
        excess -= give


def within_release(data: PlanData, uses: list[Usage]) -> list[Usage]:
    """Rounding up never passes what the holders released: gated usage above the bound per
    (demand, provider, accelerator, region, month) is given back (`repair.top_up` covers the rest)."""
    left: dict[tuple[str, str, str, str, int], int] = {}
    out: list[Usage] = []
    for u in sorted(uses, key=lambda u: (u.month, u.demand, u.offer, u.spot)):
        released = data.released(u.demand, u.offer, u.month)
        if released is None:
            out.append(u)
            continue
        key = (u.demand, *data.offers[u.offer].site, u.month)
        room = left.setdefault(key, released)
        take = min(room, u.gpus)
        rack = data.offers[u.offer].rack
        if rack and take < u.gpus:  # give back whole racks: the offer's total stays whole racks
            take = max(u.gpus - math.ceil((u.gpus - take) / rack) * rack, 0)
        left[key] = room - take
        if take > 0:
            out.append(Usage(u.demand, u.offer, u.month, take, u.spot))
    return out


def fleet_values(
    data: PlanData, v: Vars, values: tuple[float, ...]
) -> list[tuple[int, int, int, bool, float]]:
    """(fleet, offer, month, spot, GPUs) for every positive fleet column, merged groups split back."""
    per: dict[tuple[int, int], list[tuple[int, bool, float]]] = {}
    for spot, cols in ((False, v.x), (True, v.xs)):
        for (i, o, m), j in cols.items():
            if values[j] > EPS:
                per.setdefault((i, m), []).append((o, spot, values[j]))
    eq = {o.idx: o.h100_eq for o in data.offers}
    out: list[tuple[int, int, int, bool, float]] = []
    for members in data.groups():
        for m in data.months:
            parts = per.get((members[0], m))
            if parts:
                for i, o, spot, g in split(data.fleets, members, m, parts, eq):
                    if g > EPS:
                        out.append((i, o, m, spot, g))
    return out


def _whole(value: float) -> int:
    return math.floor(value + 1e-6)


def _split(total: int, parts: list[tuple[int, float]], unit: int = 1) -> list[tuple[int, int]]:
    """Split `total` GPUs across offers in proportion to the solver's values (largest remainder),
    in whole `unit`s (a rack where racks are sold; `total` is then a whole number of them)."""
    split = _split_units(total // unit, [(o, val / unit) for o, val in parts])
    return [(o, g * unit) for o, g in split]


def _split_units(total: int, parts: list[tuple[int, float]]) -> list[tuple[int, int]]:
    floors = [(o, math.floor(val + 1e-6), val - math.floor(val + 1e-6)) for o, val in parts]
    left = total - sum(f for _o, f, _r in floors)
    order = sorted(range(len(floors)), key=lambda k: (-floors[k][2], floors[k][0]))
    result = [[o, f] for o, f, _r in floors]
    for k in order:
        if left <= 0:
            break
        result[k][1] += 1
        left -= 1
    return [(int(o), int(g)) for o, g in result]


def unmet_from(data: PlanData, uses: list[Usage]) -> list[tuple[str, int, Decimal]]:
    """Fleet need not covered by the integral usage, exactly (h100_eq)."""
    acc = data.scenario.accelerators
    got: dict[tuple[str, int], Decimal] = {}
    for u in uses:
        eq = acc[data.offers[u.offer].gpu].h100_eq
        got[(u.demand, u.month)] = got.get((u.demand, u.month), Decimal(0)) + eq * u.gpus
    out: list[tuple[str, int, Decimal]] = []
    for f in data.fleets:
        for m in data.months:
            short = f.need(m) - got.get((f.id, m), Decimal(0))
            if short > Decimal("0.001"):
                out.append((f.id, m, short))
    return out


def awards(
    data: PlanData,
    uses: list[Usage],
    notice_of: Mapping[tuple[str, str, str, str, int], str],
    block_clause: Mapping[int, str],
) -> list[Award]:
    """Price each usage. `notice_of[(demand, provider, gpu, region, month)]` names the ROFR notice
    that released gated capacity."""
    order = {d.id: k for k, d in enumerate(data.scenario.demands)}
    reserved_left: dict[int, int] = {}  # per reservation pool
    # (provider, month) -> the commitment that month's spend draws down first (drawdown order, in force)
    commit_clause: dict[tuple[str, int], str] = {}
    for c in data.commitments:  # already in drawdown order: commitments drawn "after" another come last
        for m in c.months:
            commit_clause.setdefault((c.clause.provider, m), c.clause.id)
    out: list[Award] = []
    for u in sorted(uses, key=lambda u: (u.month, u.offer, order[u.demand], u.spot)):
        o = data.offers[u.offer]
        gate = data.gates.get((u.demand, u.offer, u.month))
        notice = notice_of.get((u.demand, *o.site, u.month)) if gate is not None else None
        clause: str | None = gate.clause if gate is not None else None
        if u.spot:
            out.append(_award(u, o, u.gpus, o.spot_rate or Decimal(0), "spot", clause, notice))
            continue
        if o.kind == HOLDER_NEW:
            rate = o.rate[u.month - 1] or Decimal(0)
            out.append(_award(u, o, u.gpus, rate, "contract", block_clause.get(u.offer), o.notice))
            continue
        m = u.month
        pool_id = o.pool[m - 1] if o.pool else None
        if pool_id is not None:  # the pool's reserved GPUs first, in award order; the rest burst
            pool = data.pools[pool_id]
            left = reserved_left.setdefault(pool_id, pool.reserved)
            in_res = min(left, u.gpus)
            reserved_left[pool_id] = left - in_res
            if in_res:
                out.append(_award(u, o, in_res, pool.rate, "reserved", pool.clause, notice))
            if u.gpus - in_res:
                burst = pool.burst_rate or Decimal(0)
                out.append(_award(u, o, u.gpus - in_res, burst, pool.burst_pricing, pool.clause, notice))
            continue
        pricing = o.pricing[m - 1]
        base_clause = clause or o.clause[m - 1] or commit_clause.get((o.provider, m))
        out.append(_award(u, o, u.gpus, o.rate[m - 1] or Decimal(0), pricing, base_clause, notice))
    return sorted(out, key=lambda a: (a.month, a.demand, a.provider, a.region, a.gpu, a.pricing))


def _award(
    u: Usage, o: Offer, gpus: int, rate: Decimal, pricing: str, clause: str | None, notice: str | None
) -> Award:
    return Award(u.demand, o.provider, o.region, o.gpu, u.month, gpus, rate, pricing, clause, notice)


def unplaced_runs(data: PlanData, v: Vars, values: tuple[float, ...]) -> list[str]:
    return [data.runs[r].id for r, j in sorted(v.run_unmet.items()) if values[j] > 0.5]
