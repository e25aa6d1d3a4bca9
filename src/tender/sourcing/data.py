"""Step 1: scenario -> indexed sets and parameters (offers, fleet/run eligibility, gates, commitments).

Everything the model needs is precomputed here as plain tuples so that the later steps are pure
index arithmetic. Money stays `Decimal` here; the model converts to float coefficients.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from tender.domain import CommittedSpend, Fleet, ProviderKind, Rates, Scenario, TrainingRun
from tender.sourcing.clauses import ClauseView
from tender.sourcing.reservations import Pool, committed_rate, reservation_pools

HOLDER_NEW = "new"  # offer kind for capacity a ROFR holder added by exercising


@dataclass(frozen=True)
class Offer:
    """One provider x accelerator x region supply line (or a block the ROFR holder exercised)."""

    idx: int
    provider: str
    gpu: str
    region: str
    h100_eq: float
    cap: tuple[int, ...]  # GPUs per month (index m-1)
    rate: tuple[Decimal | None, ...]  # base USD/GPU-h per month (None = not sold at a base price)
    pricing: tuple[str, ...]  # base pricing per month: contract | on_demand | take_or_pay | reserved
    clause: tuple[str | None, ...]  # clause behind the base pricing per month
    spot_rate: Decimal | None
    pool: tuple[int | None, ...] = ()  # the reservation pool governing each month (`PlanData.pools`)
    top_min: tuple[int, ...] = ()  # take-or-pay minimum paid GPUs per month
    rack: int | None = None
    kind: str = "existing"  # existing | new (holder block)
    notice: str | None = None
    block_gpus: tuple[int, ...] = ()  # holder block: GPUs the lab committed to pay for per month

    def base_usable(self, month: int) -> bool:
        """Can GPUs be bought here in `month` at a non-spot price (or from a paid block)?"""
        return self.kind == HOLDER_NEW or self.under_reservation(month) or self.rate[month - 1] is not None

    def is_new(self, view: ClauseView, month: int) -> bool:
        """Is buying here new capacity (what a `new_capacity` right covers)? Not the lab's own
        cluster, and not GPUs taken through a running reservation (this offer-month's share of it)."""
        if view.scenario.providers[self.provider].kind is ProviderKind.OWNED:
            return False
        return not (self.kind == "existing" and self.under_reservation(month))

    def under_reservation(self, month: int) -> bool:
        """Does a running reservation govern this offer-month (its reserved GPUs or its burst)?"""
        return bool(self.pool) and self.pool[month - 1] is not None

    def spot_usable(self, month: int) -> bool:
        """Can GPUs be bought here at spot in `month`? Listed capacity only, and not inside a
        reservation (the reservation governs that capacity)."""
        return self.spot_rate is not None and self.kind == "existing" and not self.under_reservation(month)

    def unit_cost(self, month: int, hours: int) -> float:
        """Marginal USD per GPU-month at base pricing (0 inside a paid reservation or holder block:
        a reservation's burst is priced on its pool's burst column)."""
        if self.kind == HOLDER_NEW or self.under_reservation(month):
            return 0.0
        rate = self.rate[month - 1]
        return float(rate) * hours if rate is not None else 0.0

    @property
    def site(self) -> tuple[str, str, str]:
        return (self.provider, self.gpu, self.region)


@dataclass(frozen=True)
class Gate:
    """Third-party capacity for one demand and month that priority rights gate: every right that
    binds buying it, as (clause id, holder) in clause order; each holder must release it first."""

    rights: tuple[tuple[str, str], ...]

    @property
    def clause(self) -> str:
        """The first binding right: the clause an award on gated capacity cites."""
        return self.rights[0][0]


@dataclass(frozen=True)
class Commitment:
    clause: CommittedSpend
    months: tuple[int, ...]  # months whose eligible spend counts
    after_total: Decimal | None  # total of the commitment this one draws down after (None = first)
    after_months: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlanData:
    scenario: Scenario
    view: ClauseView
    months: tuple[int, ...]
    hours: int
    offers: tuple[Offer, ...]
    fleets: tuple[Fleet, ...]
    runs: tuple[TrainingRun, ...]
    # fleet index -> ((offer idx, months allowed, spot allowed), ...)
    fleet_offers: tuple[tuple[tuple[int, tuple[int, ...]], ...], ...]
    # run index -> ((site key, start month), ...) ; site key indexes `sites`
    sites: tuple[tuple[int, ...], ...]  # each site: offer indices sharing provider/gpu/region
    run_options: tuple[tuple[tuple[int, int, int], ...], ...]  # (site idx, start, gpus used)
    # (demand id, offer idx, month) -> Gate for ROFR-gated third-party capacity
    gates: dict[tuple[str, int, int], Gate]
    commitments: tuple[Commitment, ...]
    unmet_penalty: Decimal
    # (demand id, provider, gpu, region) -> per-month GPU bound on gated third-party capacity
    gate_bounds: dict[tuple[str, str, str, str], tuple[int | None, ...]] = field(default_factory=dict)
    now: datetime | None = None  # the plan instant: notices go out then (or when a right starts)
    gates_bounded: bool = False  # True once notices are answered: gated use only up to what was released
    # fleets sharing one set of columns (`merge.fleet_groups`); empty = one group per fleet
    fleet_groups: tuple[tuple[int, ...], ...] = ()
    pools: tuple[Pool, ...] = ()  # reservations, one per clause and month (`reservations.py`)

    def groups(self) -> tuple[tuple[int, ...], ...]:
        return self.fleet_groups or tuple((i,) for i in range(len(self.fleets)))

    def offer(self, idx: int) -> Offer:
        return self.offers[idx]

    def pool_of(self, o_idx: int, month: int) -> int | None:
        """The reservation pool governing offer `o_idx` in `month` (None = none)."""
        pool = self.offers[o_idx].pool
        return pool[month - 1] if pool else None

    def pool_cap(self, o_idx: int, month: int) -> int | None:
        """What a pool's offers may give together in a month: reserved + burst (None = no pool)."""
        pool = self.pool_of(o_idx, month)
        return None if pool is None else self.pools[pool].reserved + self.pools[pool].burst

    def released(self, demand: str, o_idx: int, month: int) -> int | None:
        """GPUs of gated capacity `demand` may take from (provider, gpu, region) of offer `o_idx` in
        `month`, as the holders released them; None = not bounded (not gated, or before answers).
        The one authority the model, the rounding, the top-up and the baseline all ask."""
        if not self.gates_bounded or (demand, o_idx, month) not in self.gates:
            return None
        bound = self.gate_bounds.get((demand, *self.offers[o_idx].site))
        return bound[month - 1] if bound is not None else 0


def _offer_for(
    sc: Scenario,
    view: ClauseView,
    idx: int,
    site: tuple[str, str, str],
    pools: tuple[list[Pool], dict[tuple[str, str, str, int], int]],
) -> Offer | None:
    """One existing supply line: per month its capacity, base rate and pricing (a reservation pool,
    take-or-pay at the committed rate, else the contract rate, else on-demand)."""
    pid, gpu, region = site
    prov = sc.providers[pid]
    acc = sc.accelerators.get(gpu)
    rates = prov.rates.get(gpu)
    if acc is None or rates is None:
        return None
    months = tuple(sc.calendar.months())
    month_terms = [_month_terms(sc, view, site, rates, m, pools) for m in months]
    full_rack = prov.full_rack_only and acc.rack_size is not None
    return Offer(
        idx=idx,
        provider=pid,
        gpu=gpu,
        region=region,
        h100_eq=float(acc.h100_eq),
        cap=tuple(t[0] for t in month_terms),
        rate=tuple(t[1] for t in month_terms),
        pricing=tuple(t[2] for t in month_terms),
        clause=tuple(t[3] for t in month_terms),
        spot_rate=rates.spot,
        pool=tuple(t[4] for t in month_terms),
        top_min=tuple(t[5] for t in month_terms),
        rack=acc.rack_size if full_rack else None,
    )


def _month_terms(
    sc: Scenario,
    view: ClauseView,
    site: tuple[str, str, str],
    rates: Rates,
    m: int,
    pools: tuple[list[Pool], dict[tuple[str, str, str, int], int]],
) -> tuple[int, Decimal | None, str, str | None, int | None, int]:
    """(capacity, rate, pricing, clause, pool, take-or-pay minimum) of one offer-month."""
    pid, gpu, region = site
    listed = sc.providers[pid].existing_gpus(gpu, region, m)
    pool = pools[1].get((pid, gpu, region, m))
    if pool is not None:
        p = pools[0][pool]
        return min(listed, p.reserved + p.burst), None, "reserved", p.clause, pool, 0
    top = view.take_or_pay(pid, gpu, m)
    if top is not None:
        minimum = math.ceil(listed * top.minimum_pct_of_delivered_capacity / 100)
        return listed, committed_rate(rates), "take_or_pay", top.id, None, minimum
    if rates.contract is not None:
        return listed, rates.contract, "contract", None, None, 0
    return listed, rates.on_demand, "on_demand", None, None, 0


def build_offers(
    sc: Scenario, view: ClauseView, pools: tuple[list[Pool], dict[tuple[str, str, str, int], int]]
) -> list[Offer]:
    offers: list[Offer] = []
    for pid in sorted(sc.providers):
        prov = sc.providers[pid]
        pairs = sorted({(g, r) for g, r in prov.gpu_region_pairs()})
        for gpu, region in pairs:
            if all(prov.existing_gpus(gpu, region, m) == 0 for m in sc.calendar.months()):
                continue
            o = _offer_for(sc, view, len(offers), (pid, gpu, region), pools)
            if o is not None:
                offers.append(o)
    return offers


def eligible_months(
    view: ClauseView, demand: Fleet | TrainingRun, o: Offer, months: tuple[int, ...]
) -> tuple[int, ...]:
    """Months in which `demand` may use offer `o` under the hard rules (type, residency, exclusivity)."""
    allowed = demand.allowed_gpus if isinstance(demand, Fleet) else demand.gpu_types
    if o.gpu not in allowed:
        return ()
    if demand.regions_allowed and o.region not in demand.regions_allowed:
        return ()
    if not view.restricted(demand):
        return tuple(m for m in months if o.cap[m - 1] > 0)
    blocked = view.blocked_months(demand, o.region, o.provider)
    return tuple(m for m in months if o.cap[m - 1] > 0 and m not in blocked)


def commitments_of(view: ClauseView, months: tuple[int, ...]) -> tuple[Commitment, ...]:
    """One entry per committed-spend clause id: its latest version's terms, over every month any
    version is in force (the model's approximation; the ledger reads each version exactly)."""
    versions = view.commitments()
    by_id = {c.id: c for c in versions}

    def live(cid: str) -> tuple[int, ...]:
        return tuple(m for m in months if any(v.id == cid and v.effective_in(m) for v in versions))

    out: list[Commitment] = []
    for c in sorted(by_id.values(), key=lambda c: c.id):
        after = by_id.get(c.drawdown_after) if c.drawdown_after else None
        out.append(
            Commitment(
                clause=c,
                months=live(c.id),
                after_total=after.total_usd if after is not None else None,
                after_months=live(after.id) if after is not None else (),
            )
        )
    return tuple(sorted(out, key=lambda c: (c.after_total is not None, c.clause.id)))


def build(
    sc: Scenario,
    extra_offers: tuple[Offer, ...] = (),
    gate_bounds: dict[tuple[str, str, str, str], tuple[int | None, ...]] | None = None,
    now: datetime | None = None,
    view: ClauseView | None = None,
) -> PlanData:
    """Index the scenario. `extra_offers` are holder blocks; `gate_bounds` bound gated usage per need."""
    from tender.sourcing.direct import direct_offers
    from tender.sourcing.merge import fleet_groups

    view = view or ClauseView.of(sc)
    now = now or sc.calendar.month_start(1)
    months = tuple(sc.calendar.months())
    pools = reservation_pools(sc, view)
    offers = build_offers(sc, view, pools)
    for extra in extra_offers:
        offers.append(_reindex(extra, len(offers)))
    offers.extend(direct_offers(sc, view, tuple(extra_offers), len(offers)))
    gates: dict[tuple[str, int, int], Gate] = {}
    fleet_offers = [_fleet_offers(view, f, offers, months, gates, now) for f in sc.fleets]
    sites = _sites(offers)
    run_options = [_run_options(view, r, offers, sites, months, gates, now) for r in sc.training_runs]
    fleets, runs = sc.fleets, sc.training_runs
    return PlanData(
        scenario=sc,
        view=view,
        months=months,
        hours=sc.calendar.hours_per_month,
        offers=tuple(offers),
        fleets=fleets,
        runs=runs,
        fleet_offers=tuple(fleet_offers),
        sites=sites,
        run_options=tuple(run_options),
        gates=gates,
        commitments=commitments_of(view, months),
        unmet_penalty=sc.unmet_penalty_usd_per_h100_eq_hour,
        gate_bounds=dict(gate_bounds or {}),
        now=now,
        gates_bounded=gate_bounds is not None,
        fleet_groups=fleet_groups(fleets, fleet_offers, {d for d, _o, _m in gates}),
        pools=tuple(pools[0]),
    )


def _fleet_offers(
    view: ClauseView,
    f: Fleet,
    offers: list[Offer],
    months: tuple[int, ...],
    gates: dict[tuple[str, int, int], Gate],
    now: datetime,
) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """Every (offer, months) fleet `f` may use: the hard rules, then the rights' gates."""
    row: list[tuple[int, tuple[int, ...]]] = []
    for o in offers:
        ms = _gate(view, f, o, eligible_months(view, f, o, months), gates, now)
        if ms:
            row.append((o.idx, ms))
    return tuple(row)


def _sites(offers: list[Offer]) -> tuple[tuple[int, ...], ...]:
    """Offers grouped by (provider, accelerator, region), in site order: where a run can be."""
    site_map: dict[tuple[str, str, str], list[int]] = {}
    for o in offers:
        site_map.setdefault(o.site, []).append(o.idx)
    return tuple(tuple(site_map[k]) for k in sorted(site_map))


def _run_options(
    view: ClauseView,
    r: TrainingRun,
    offers: list[Offer],
    sites: tuple[tuple[int, ...], ...],
    months: tuple[int, ...],
    gates: dict[tuple[str, int, int], Gate],
    now: datetime,
) -> tuple[tuple[int, int, int], ...]:
    """(site, start, GPUs used) for every site of an allowed type that can hold the whole run in every
    month of a window inside its start window (GPUs rounded up to whole racks where sold)."""
    opts: list[tuple[int, int, int]] = []
    for si, offer_ids in enumerate(sites):
        if offers[offer_ids[0]].gpu not in r.gpu_types:
            continue
        rack = next((offers[i].rack for i in offer_ids if offers[i].rack), None)
        used = math.ceil(r.gpus / rack) * rack if rack else r.gpus
        for start in r.start_months():
            window = range(start, start + r.duration_months)
            inside = window[0] >= 1 and window[-1] <= len(months)
            if inside and all(_site_holds(view, r, offers, offer_ids, m, used, gates, now) for m in window):
                opts.append((si, start, used))
    return tuple(opts)


def _site_holds(
    view: ClauseView,
    r: TrainingRun,
    offers: list[Offer],
    offer_ids: tuple[int, ...],
    m: int,
    used: int,
    gates: dict[tuple[str, int, int], Gate],
    now: datetime,
) -> bool:
    """Can the site's offers the run may use in month `m` hold `used` GPUs together?"""
    total = 0
    for i in offer_ids:
        ms = _gate(view, r, offers[i], eligible_months(view, r, offers[i], (m,)), gates, now)
        if ms and offers[i].base_usable(m):
            total += offers[i].cap[m - 1]
    return total >= used


def _gate(
    view: ClauseView,
    demand: Fleet | TrainingRun,
    o: Offer,
    months: tuple[int, ...],
    gates: dict[tuple[str, int, int], Gate],
    now: datetime,
) -> tuple[int, ...]:
    """Record the rights gating (demand, offer, month); drop gated months no answer can precede."""
    if o.kind == HOLDER_NEW:
        return months
    kept: list[int] = []
    for m in months:
        rights = view.rofr_clauses(demand, o.provider, o.gpu, o.region, m, new=o.is_new(view, m))
        if rights:
            if not all(view.gate_open(r, m, now) for r in rights):
                continue
            gates[(demand.id, o.idx, m)] = Gate(tuple((r.id, r.holder) for r in rights))
        kept.append(m)
    return tuple(kept)


def _reindex(o: Offer, idx: int) -> Offer:
    return replace(o, idx=idx)
